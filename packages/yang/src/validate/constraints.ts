import type { SchemaNode, TypeSpec } from '../schema.ts';
import type { Step, XPathExpr } from '../xpath/ast.ts';
import { type DataNode, detachedNode, rootOf } from '../xpath/data-node.ts';
import { evaluate, toBoolean, type XPathContext } from '../xpath/eval.ts';
import { parseXPath } from '../xpath/parse.ts';
import { missing, walkImplicit } from './absent.ts';
import { pathOf } from './issue.ts';
import type { KeyValues } from './key-index.ts';
import type { Runtime } from './runtime.ts';
import { issue, type Walk } from './walk.ts';

/** Per-run caches: leafref target value sets, so N leafrefs cost O(N) (not O(N²), yang-js #73). */
interface Caches {
  readonly targets: WeakMap<DataNode, Map<TypeSpec, KeyValues>>;
  readonly instanceIdentifiers: Map<string, XPathExpr | null>;
  readonly plans: Map<TypeSpec, Plan | null>;
}

/** An XPath context whose current node the checks move along (one object per run, no allocation per node). */
type MovingContext = { current: DataNode } & Omit<XPathContext, 'current'>;

/** One pass of the rules over the finished tree: the run's walk, its caches and its XPath context. */
interface Pass {
  readonly walk: Walk;
  readonly caches: Caches;
  readonly context: MovingContext;
}

/** A leafref path without predicates: `up` parent steps (or the root), then `rest`. */
interface Plan {
  readonly absolute: boolean;
  readonly up: number;
  readonly rest: XPathExpr;
}

function planOf(type: TypeSpec, caches: Caches): Plan | null {
  let plan = caches.plans.get(type);
  if (plan !== undefined) return plan;
  const path = type.path!;
  plan = null;
  if (path.t === 'path' && path.from === undefined && path.steps.every((step) => step.preds.length === 0)) {
    let up = 0;
    if (!path.abs) while (up < path.steps.length && path.steps[up]!.axis === 'parent') up++;
    plan = { absolute: path.abs, up, rest: { t: 'path', abs: false, steps: path.steps.slice(up) } };
  }
  caches.plans.set(type, plan);
  return plan;
}

/** Runs `when`, `must`, leafref and instance-identifier checks on the built tree (RFC 7950 §7.5.3, §7.21.5, §9.9, §9.13). */
export function checkConstraints(walk: Walk, runtime: Runtime): void {
  const caches: Caches = { targets: new WeakMap(), instanceIdentifiers: new Map(), plans: new Map() };
  const config = walk.mode === 'config';
  const context: MovingContext = {
    current: walk.deferred[0] ?? walk.guarded[0]?.parent ?? walk.implicitWhen[0]!.parent,
    derived: (identity: string) => runtime.derived.get(identity),
    regex: runtime.xsdRegex,
  };
  const pass: Pass = { walk, caches, context };
  // absent non-presence containers under `when`: built (with what they hold) where it holds, before any rule reads the tree
  for (let index = 0; index < walk.implicitWhen.length; index++) {
    const { node: container, parent } = walk.implicitWhen[index]!;
    if (
      !whenHolds(
        container.schema,
        detachedNode(parent, container.schema, container.schema.name, container.schema.module),
        parent,
        context,
      )
    )
      continue;
    const dataNode = detachedNode(parent, container.schema, container.schema.name, container.schema.module);
    parent.children = [...parent.children, dataNode];
    parent.byName = undefined;
    walkImplicit(walk, container, dataNode);
  }
  for (const node of walk.deferred) {
    const schema = node.schema!;
    if (schema.when !== undefined) {
      // a default whose `when` is false is no data: it goes without an issue (RFC 7950 §7.21.5)
      if (node.implicit === true) {
        if (!whenHolds(schema, node, node.parent ?? node, context)) continue;
      } else {
        let holds = true;
        for (const condition of schema.when) {
          const contextNode = condition.onParent === true ? (node.parent ?? node) : node;
          context.current = contextNode;
          if (!toBoolean(evaluate(condition.expr, contextNode, context))) {
            issue(walk, 'when', pathOf(node), `When condition "${condition.text}" not satisfied`);
            holds = false;
            break;
          }
        }
        if (!holds) continue;
      }
    }
    context.current = node;
    if (schema.must !== undefined) {
      for (const condition of schema.must) {
        const direct = runtime.fastMust.get(condition);
        if (
          !(direct != null
            ? direct(node, node.parent, node.value, config)
            : toBoolean(evaluate(condition.expr, node, context)))
        ) {
          issue(
            walk,
            'must',
            pathOf(node),
            condition.errorMessage ?? `Must condition "${condition.text}" not satisfied`,
            condition.errorAppTag === undefined ? {} : { appTag: condition.errorAppTag },
          );
        }
      }
    }
    if (schema.type !== undefined && node.value !== undefined && node.implicit !== true)
      instanceCheck(pass, schema.type, node);
  }
  // RFC 7950 §7.21.5: a mandatory node whose `when` is false need not exist; evaluated on a stand-in node
  for (const absent of walk.guarded) {
    const standIn = detachedNode(absent.parent, absent.node.schema, absent.node.schema.name, absent.node.schema.module);
    if (whenHolds(absent.node.schema, standIn, absent.parent, context))
      missing(walk, { ...absent.node, schema: { ...absent.node.schema, when: [] } }, absent.parent, absent.path);
  }
}

/** Every `when` of `schema` holds for `node` (or, for one from `uses`/`augment`/a choice, its parent). */
function whenHolds(schema: SchemaNode, node: DataNode, parent: DataNode, context: MovingContext): boolean {
  for (const condition of schema.when ?? []) {
    const contextNode = condition.onParent === true ? parent : node;
    context.current = contextNode;
    if (!toBoolean(evaluate(condition.expr, contextNode, context))) return false;
  }
  return true;
}

function instanceCheck(pass: Pass, type: TypeSpec, node: DataNode): void {
  const { walk, caches, context } = pass;
  const value = node.value!;
  if (type.base === 'union') {
    // RFC 7950 §9.12: the first member that accepts the value decides; only a reference member needs an instance
    const member = walk.unionReferences.get(node);
    if (member !== undefined) instanceCheck(pass, member, node);
    return;
  }
  if (type.base === 'leafref' && type.requireInstance !== false && type.path !== undefined) {
    if (!leafrefTargets(pass, type, node).has(value)) {
      issue(
        walk,
        'leafref',
        pathOf(node),
        `Invalid leafref value "${value}" - no target instance "${type.pathText}" with the same value`,
        { expected: `an existing ${type.pathText}`, received: value },
      );
    }
  } else if (type.base === 'instance-identifier' && type.requireInstance !== false) {
    let expr = caches.instanceIdentifiers.get(value);
    if (expr === undefined) {
      try {
        expr = parseXPath(value, { defaultModule: '', prefix: (prefix) => prefix });
      } catch {
        expr = null;
      }
      caches.instanceIdentifiers.set(value, expr);
    }
    const found = expr === null ? [] : evaluate(expr, rootOf(node), context);
    if (!Array.isArray(found) || found.length === 0)
      issue(walk, 'instance-required', pathOf(node), `Required instance "${value}" does not exist`, {
        received: value,
      });
  }
}

/** Values the leafref may take here; cached per starting node when the path below it has no predicates. */
function leafrefTargets(pass: Pass, type: TypeSpec, node: DataNode): KeyValues {
  const { walk, caches, context } = pass;
  const plan = planOf(type, caches);
  if (plan !== null) {
    let start: DataNode = plan.absolute ? rootOf(node) : node;
    for (let i = 0; i < plan.up; i++) start = start.parent ?? start;
    let byType = caches.targets.get(start);
    if (byType === undefined) {
      byType = new Map();
      caches.targets.set(start, byType);
    }
    let set = byType.get(type);
    if (set === undefined) {
      set = keySet(walk, plan, start);
      if (set === undefined) {
        const found = evaluate(plan.rest, start, context);
        set = new Set(Array.isArray(found) ? found.map((target) => target.value ?? '') : []);
      }
      byType.set(type, set);
    }
    return set;
  }
  const found = evaluate(type.path!, node, context);
  return new Set(Array.isArray(found) ? found.map((target) => target.value ?? '') : []);
}

/** `list/key` from `start`, where the walk kept that list's key values: the same set, not built again. */
function keySet(walk: Walk, plan: Plan, start: DataNode): KeyValues | undefined {
  const rest = plan.rest;
  if (rest.t !== 'path' || rest.steps.length !== 2) return undefined;
  const [listStep, keyStep] = rest.steps as [Step, Step];
  if (listStep.axis !== 'child' || keyStep.axis !== 'child' || listStep.test.k !== 'name' || keyStep.test.k !== 'name')
    return undefined;
  const listTest = listStep.test;
  const keyTest = keyStep.test;
  const recorded = walk.keySets
    .get(start)
    ?.find(
      (candidate) =>
        candidate.exact &&
        candidate.list.name === listTest.name &&
        candidate.list.module === listTest.module &&
        candidate.key.name === keyTest.name &&
        candidate.key.module === keyTest.module,
    );
  return recorded?.values;
}
