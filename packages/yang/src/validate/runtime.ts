import type { CompiledSchema, Condition, TypeSpec } from '../schema.ts';
import { xsdToJs } from '../types/xsd-regex.ts';
import type { Step, XPathExpr } from '../xpath/ast.ts';
import { compileMust, type FastCondition } from './fast-must.ts';
import { lazyFor } from './lazy.ts';
import { prepareOperations, type RuntimeOperation } from './operations.ts';
import { needsInstance, type Preparation, prepareNodes, type RuntimeNode } from './runtime-node.ts';

/** Runtime options; the fast paths are on unless a test compares them with the generic ones. */
export interface PrepareOptions {
  /** Plain leaves built on demand and common `must` shapes compiled to direct reads (default true). */
  readonly fastPaths?: boolean;
}

/** Runtime form of a whole schema, built once per schema object. */
export interface Runtime {
  readonly schema: CompiledSchema;
  readonly data: RuntimeNode;
  /** RPCs by `module:name`. */
  readonly rpcs: Map<string, RuntimeOperation>;
  /** Actions by schema path (`/m:top/list/action`). */
  readonly actions: Map<string, RuntimeOperation>;
  /** Notifications by `module:name` (top level) or schema path (nested). */
  readonly notifications: Map<string, RuntimeOperation>;
  readonly derived: Map<string, ReadonlySet<string>>;
  readonly regex: (source: string) => RegExp;
  /** False when no node has must, when, leafref or instance-identifier: leaves then need no data nodes. */
  readonly tree: boolean;
  /** An XSD pattern (from `re-match()`), translated and compiled once. */
  readonly xsdRegex: (xsd: string) => RegExp;
  /** `must` conditions compiled to direct reads (validate/fast-must.ts); null for shapes (or shared conditions) the generic evaluator keeps. */
  readonly fastMust: Map<Condition, FastCondition | null>;
  /** The fast paths are on (PrepareOptions.fastPaths). */
  readonly fastPaths: boolean;
}

/**
 * The fast paths, once the runtime tree is complete: `must`s compiled to
 * direct reads, leaves whose rules the walk can decide itself, and the
 * completion of inner nodes that keep only what they must.
 */
function prepareFast(holder: RuntimeNode, out: Map<Condition, FastCondition | null>): void {
  const visit = (node: RuntimeNode, ancestors: RuntimeNode[]): void => {
    const below = [...ancestors, node];
    for (const child of node.children) {
      const compiled = (child.schema.must ?? []).map((condition) => {
        const must = compileMust(condition.expr, child, below);
        // a condition object met twice (shared by two places) keeps the generic evaluator
        out.set(condition, out.has(condition) ? null : (must?.test ?? null));
        return must;
      });
      visit(child, below);
      if (child.schema.kind !== 'leaf' || child.isKey || !child.ownXPath || (child.schema.when?.length ?? 0) > 0)
        continue;
      if (!compiled.every((must) => must !== undefined && must.reach <= 1)) continue;
      const leafref = needsInstance(child.schema);
      if (leafref && !refersToOwnKey(child.schema.type!, node)) continue;
      child.early = { musts: compiled.map((must) => must!.test), self: compiled.some((must) => must!.self), leafref };
      child.lazyLeaf = true;
      if (compiled.length > 0) node.earlyLeaves.push(child);
      if (leafref) node.earlyLeafrefs.push(child);
    }
    if (node.children.some((child) => child.lazyLeaf || child.schema.kind === 'list'))
      node.lazy = { config: lazyFor(node, true), data: lazyFor(node, false) };
  };
  visit(holder, []);
}

/** A required leafref `../../list/key` from a leaf of `list`'s entries to the list's only key. */
function refersToOwnKey(type: TypeSpec, list: RuntimeNode): boolean {
  const keys = list.schema.keys ?? [];
  if (
    type.base !== 'leafref' ||
    type.requireInstance === false ||
    type.path === undefined ||
    list.schema.kind !== 'list' ||
    keys.length !== 1
  )
    return false;
  const path: XPathExpr = type.path;
  if (
    path.t !== 'path' ||
    path.abs ||
    path.from !== undefined ||
    path.steps.length !== 4 ||
    path.steps.some((step) => step.preds.length > 0)
  )
    return false;
  const [firstUp, secondUp, listStep, keyStep] = path.steps as readonly [Step, Step, Step, Step];
  const isParentStep = (step: Step): boolean => step.axis === 'parent' && step.test.k === 'node';
  const named = (step: Step, module: string, name: string): boolean =>
    step.axis === 'child' && step.test.k === 'name' && step.test.module === module && step.test.name === name;
  const key = list.members.get(keys[0]!);
  return (
    isParentStep(firstUp) &&
    isParentStep(secondUp) &&
    named(listStep, list.schema.module, list.schema.name) &&
    key !== undefined &&
    named(keyStep, key.schema.module, key.schema.name)
  );
}

/** Prepares a compiled schema for validation. */
export function prepare(schema: CompiledSchema, options: PrepareOptions = {}): Runtime {
  const fastPaths = options.fastPaths ?? true;
  const cache = new Map<string, RegExp>();
  const regex = (source: string): RegExp => {
    let compiled = cache.get(source);
    if (compiled === undefined) {
      compiled = new RegExp(source, 'u');
      cache.set(source, compiled);
    }
    return compiled;
  };
  const xsd = new Map<string, RegExp>();
  const xsdRegex = (xsdPattern: string): RegExp => {
    let compiled = xsd.get(xsdPattern);
    if (compiled === undefined) {
      compiled = new RegExp(xsdToJs(xsdPattern), 'u');
      xsd.set(xsdPattern, compiled);
    }
    return compiled;
  };
  const implemented = new Set(schema.modules.filter((module) => module.implemented).map((module) => module.name));
  const preparation: Preparation = { checks: { identities: schema.identities, implemented, regex }, fastPaths };
  const derived = new Map<string, ReadonlySet<string>>(
    Object.entries(schema.identities).map(([identity, spec]) => [identity, new Set(spec.derived)]),
  );
  const data = prepareNodes(schema.data, undefined, preparation);
  const { rpcs, actions, notifications } = prepareOperations(schema, data, preparation);
  const operations = [...rpcs.values(), ...actions.values(), ...notifications.values()];
  const tree =
    data.children.some((child) => child.xpath) ||
    operations.some(
      (operation) =>
        operation.input.children.some((child) => child.xpath) ||
        operation.output.children.some((child) => child.xpath) ||
        operation.inputNode.must !== undefined ||
        operation.outputNode.must !== undefined,
    );
  const fastMust = new Map<Condition, FastCondition | null>();
  if (fastPaths)
    for (const holder of [data, ...operations.flatMap((operation) => [operation.input, operation.output])])
      prepareFast(holder, fastMust);
  return { schema, data, rpcs, actions, notifications, derived, regex, xsdRegex, tree, fastMust, fastPaths };
}
