import type { SchemaNode, TypeSpec } from '../schema.ts';
import { type CheckContext, compileCheck, compileUnionMember, type ValueCheck } from '../types/check.ts';
import type { Lazy } from '../xpath/data-node.ts';
import type { FastCondition } from './fast-must.ts';
import type { RuntimeOperation } from './operations.ts';

/** A choice as the validator sees it: its cases and where it sits among outer choices. */
export interface RuntimeChoice {
  readonly schema: SchemaNode;
  readonly outer: RuntimeCase | undefined;
}

/** A case membership: a node belongs to `case` of `choice`. */
export interface RuntimeCase {
  readonly choice: RuntimeChoice;
  readonly name: string;
}

/** A data node prepared for validation (checkers compiled, members indexed by JSON name). */
export interface RuntimeNode {
  readonly schema: SchemaNode;
  readonly check: ValueCheck | undefined;
  /** JSON member name (simple and qualified) → child. */
  readonly members: Map<string, RuntimeNode>;
  /** Data children in schema order, through choices. */
  readonly children: RuntimeNode[];
  /** Choices below this node (nested ones too), in schema order. */
  readonly choices: RuntimeChoice[];
  /** The cases this node is in, innermost last, relative to its parent data node. */
  readonly cases: RuntimeCase[];
  /** JSON member names this node may appear under in its parent object. */
  readonly jsonNames: string[];
  /** True when the node or a descendant has must, when, leafref or instance-identifier. */
  xpath: boolean;
  /** True when the node itself has must, when, leafref or instance-identifier. */
  ownXPath: boolean;
  /** For unions with reference members: the member type a value was taken as. */
  readonly memberOf: ((value: unknown) => TypeSpec | undefined) | undefined;
  /** True for a list key leaf (always kept in the data tree: paths and duplicate checks use it). */
  readonly isKey: boolean;
  /** Mandatory per RFC 7950 §3 (leaf/choice mandatory, min-elements, NP container holding one). */
  mandatoryConfig: boolean;
  mandatoryAll: boolean;
  /** Children that are mandatory in config / in all data, and leaves with defaults: precomputed for the per-object loops. */
  readonly mustHaveConfig: RuntimeNode[];
  readonly mustHaveAll: RuntimeNode[];
  readonly withDefaults: RuntimeNode[];
  /** A plain leaf (not a key, no rules of its own): the walk checks its value and builds its data node only when XPath navigates to it. */
  lazyLeaf: boolean;
  /** Inner nodes with plain leaves or lists: how a data node completes its children, per document kind (config skips state data). */
  lazy: { readonly config: Lazy; readonly data: Lazy } | undefined;
  /**
   * A leaf whose rules the walk decides itself: `must`s compiled to reads of
   * its siblings, and a leafref to the key of the list it sits in (checked
   * against that list's key set once the walk is over). It gets no data
   * node; if a rule fails, the document is validated again the generic way.
   */
  early: { readonly musts: readonly FastCondition[]; readonly self: boolean; readonly leafref: boolean } | undefined;
  /** Inner nodes: their early leaves with `must`s, and (lists) the early leaves that refer to the list's key. */
  readonly earlyLeaves: RuntimeNode[];
  readonly earlyLeafrefs: RuntimeNode[];
  /**
   * A non-presence container that holds `must`s even when absent: RFC 7950
   * §7.5.1 makes it exist whenever its parent does, and libyang evaluates the
   * `must`s of such a container, of the non-presence containers it holds and
   * of its default leaves.
   */
  implicitMust: boolean;
  /** Children with `implicitMust`: the walk builds them when the object leaves them out (validate/absent.ts). */
  readonly implicitContainers: RuntimeNode[];
  /** Actions and notifications defined in this node (the data root: RPCs and top-level notifications), by JSON member name. */
  operations: Map<string, RuntimeOperation> | undefined;
  /** Member names at each position of the last object walked against this node, and their nodes (validate/tree.ts; a verified hint). */
  readonly seenKeys: string[];
  readonly seenNodes: (RuntimeNode | undefined)[];
}

/** What preparing nodes takes throughout: the type checkers' context (all but the leaf's module) and whether the fast paths are on. */
export interface Preparation {
  readonly checks: Omit<CheckContext, 'module'>;
  readonly fastPaths: boolean;
}

/** Builds runtime nodes for a list of sibling schema nodes under a parent in `parentModule`. */
export function prepareNodes(
  nodes: readonly SchemaNode[],
  parentModule: string | undefined,
  preparation: Preparation,
): RuntimeNode {
  const holder = emptyNode(parentModule);
  addChildren(holder, nodes, parentModule, [], preparation);
  return holder;
}

function emptyNode(module: string | undefined): RuntimeNode {
  const schema = { kind: 'container', name: '', module: module ?? '', config: true } as SchemaNode;
  return {
    schema,
    check: undefined,
    memberOf: undefined,
    members: new Map(),
    children: [],
    choices: [],
    cases: [],
    jsonNames: [],
    xpath: false,
    ownXPath: false,
    mandatoryConfig: false,
    mandatoryAll: false,
    isKey: false,
    mustHaveConfig: [],
    mustHaveAll: [],
    withDefaults: [],
    lazyLeaf: false,
    lazy: undefined,
    early: undefined,
    earlyLeaves: [],
    earlyLeafrefs: [],
    implicitMust: false,
    implicitContainers: [],
    operations: undefined,
    seenKeys: [],
    seenNodes: [],
  };
}

function addChildren(
  parent: RuntimeNode,
  nodes: readonly SchemaNode[],
  parentModule: string | undefined,
  cases: RuntimeCase[],
  preparation: Preparation,
): void {
  const { checks, fastPaths } = preparation;
  for (const schema of nodes) {
    if (schema.kind === 'choice') {
      const choice: RuntimeChoice = { schema, outer: cases[cases.length - 1] };
      parent.choices.push(choice);
      for (const caseNode of schema.children ?? [])
        addChildren(
          parent,
          caseNode.children ?? [],
          parentModule,
          [...cases, { choice, name: caseNode.name }],
          preparation,
        );
      continue;
    }
    const jsonNames = [`${schema.module}:${schema.name}`];
    if (parentModule === schema.module) jsonNames.push(schema.name);
    const node: RuntimeNode = {
      schema,
      check: schema.type === undefined ? undefined : compileCheck(schema.type, { ...checks, module: schema.module }),
      memberOf:
        schema.type === undefined ? undefined : compileUnionMember(schema.type, { ...checks, module: schema.module }),
      members: new Map(),
      children: [],
      choices: [],
      cases,
      jsonNames,
      xpath: false,
      ownXPath: false,
      mandatoryConfig: false,
      mandatoryAll: false,
      isKey: parent.schema.kind === 'list' && (parent.schema.keys?.includes(schema.name) ?? false),
      mustHaveConfig: [],
      mustHaveAll: [],
      withDefaults: [],
      lazyLeaf: false,
      lazy: undefined,
      early: undefined,
      earlyLeaves: [],
      earlyLeafrefs: [],
      implicitMust: false,
      implicitContainers: [],
      operations: undefined,
      seenKeys: [],
      seenNodes: [],
    };
    if (schema.children !== undefined && schema.kind !== 'leaf' && schema.kind !== 'leaf-list')
      addChildren(node, schema.children, schema.module, [], preparation);
    node.ownXPath = (schema.must?.length ?? 0) > 0 || (schema.when?.length ?? 0) > 0 || needsInstance(schema);
    node.lazyLeaf = fastPaths && schema.kind === 'leaf' && !node.ownXPath && !node.isKey;
    node.xpath = node.ownXPath || node.children.some((child) => child.xpath);
    node.mandatoryAll = isMandatory(node, false);
    node.mandatoryConfig = schema.config && isMandatory(node, true);
    node.implicitMust = hasImplicitMust(node);
    if (node.implicitMust) parent.implicitContainers.push(node);
    for (const jsonName of jsonNames) parent.members.set(jsonName, node);
    parent.children.push(node);
    if (node.mandatoryConfig) parent.mustHaveConfig.push(node);
    if (node.mandatoryAll) parent.mustHaveAll.push(node);
    if (schema.defaults !== undefined && (schema.kind === 'leaf' || schema.kind === 'leaf-list'))
      parent.withDefaults.push(node);
  }
}

/** The node has a leafref (requiring its instance) or instance-identifier type, in a union too. */
export function needsInstance(schema: SchemaNode): boolean {
  const type = schema.type;
  if (type === undefined) return false;
  const walk = (spec: typeof type): boolean =>
    (spec.base === 'leafref' && spec.requireInstance !== false) ||
    spec.base === 'instance-identifier' ||
    (spec.union?.some(walk) ?? false);
  return walk(type);
}

/** A non-presence container whose own `must`s, or those of what exists with it (NP containers, defaults), apply while it is absent. */
function hasImplicitMust(node: RuntimeNode): boolean {
  const schema = node.schema;
  if (schema.kind !== 'container' || schema.presence === true) return false;
  if ((schema.must?.length ?? 0) > 0) return true;
  // only the default case of a choice exists without data
  return node.children.some(
    (child) =>
      child.cases.every((membership) => membership.choice.schema.defaultCase === membership.name) &&
      (child.implicitMust || (child.schema.defaults !== undefined && (child.schema.must?.length ?? 0) > 0)),
  );
}

function isMandatory(node: RuntimeNode, config: boolean): boolean {
  const schema = node.schema;
  if (schema.mandatory === true) return true;
  if ((schema.kind === 'list' || schema.kind === 'leaf-list') && (schema.minElements ?? 0) > 0) return true;
  if (schema.kind === 'container' && schema.presence !== true)
    return (
      node.children.some((child) => (config ? child.mandatoryConfig : child.mandatoryAll)) ||
      node.choices.some(
        (choice) => choice.schema.mandatory === true && choice.outer === undefined && (!config || choice.schema.config),
      )
    );
  return false;
}
