import type { CompiledSchema, Condition, SchemaNode, TypeSpec } from '../schema.ts';
import { type CheckContext, compileCheck, compileUnionMember, type ValueCheck } from '../types/check.ts';
import { xsdToJs } from '../types/xsd-regex.ts';
import type { Step, XPathExpr } from '../xpath/ast.ts';
import type { Lazy } from '../xpath/data-node.ts';
import { compileMust, type FastCondition } from './fast-must.ts';
import { lazyFor } from './lazy.ts';
import { prepareOperations, type RuntimeOperation } from './operations.ts';

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
  /** Children with `implicitMust`: the walk builds them when the object leaves them out (validate/tree.ts). */
  readonly implicitContainers: RuntimeNode[];
  /** Actions and notifications defined in this node (the data root: RPCs and top-level notifications), by JSON member name. */
  operations: Map<string, RuntimeOperation> | undefined;
  /** Member names at each position of the last object walked against this node, and their nodes (validate/tree.ts; a verified hint). */
  readonly seenKeys: string[];
  readonly seenNodes: (RuntimeNode | undefined)[];
}

/** Runtime options; the fast paths are on unless a test compares them with the generic ones. */
export interface PrepareOptions {
  /** Plain leaves built on demand and common `must` shapes compiled to direct reads (default true). */
  readonly fastPaths?: boolean;
}

/** Builds runtime nodes for a list of sibling schema nodes under a parent in `parentModule`. */
export function prepareNodes(
  nodes: readonly SchemaNode[],
  parentModule: string | undefined,
  cx: Omit<CheckContext, 'module'>,
  fast = true,
): RuntimeNode {
  const holder = emptyNode(parentModule);
  addChildren(holder, nodes, parentModule, [], cx, fast);
  return holder;
}

function emptyNode(module: string | undefined): RuntimeNode {
  const s = { kind: 'container', name: '', module: module ?? '', config: true } as SchemaNode;
  return {
    schema: s,
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
  cx: Omit<CheckContext, 'module'>,
  fast: boolean,
): void {
  for (const s of nodes) {
    if (s.kind === 'choice') {
      const choice: RuntimeChoice = { schema: s, outer: cases[cases.length - 1] };
      parent.choices.push(choice);
      for (const c of s.children ?? [])
        addChildren(parent, c.children ?? [], parentModule, [...cases, { choice, name: c.name }], cx, fast);
      continue;
    }
    const jsonNames = [`${s.module}:${s.name}`];
    if (parentModule === s.module) jsonNames.push(s.name);
    const r: RuntimeNode = {
      schema: s,
      check: s.type === undefined ? undefined : compileCheck(s.type, { ...cx, module: s.module }),
      memberOf: s.type === undefined ? undefined : compileUnionMember(s.type, { ...cx, module: s.module }),
      members: new Map(),
      children: [],
      choices: [],
      cases,
      jsonNames,
      xpath: false,
      ownXPath: false,
      mandatoryConfig: false,
      mandatoryAll: false,
      isKey: parent.schema.kind === 'list' && (parent.schema.keys?.includes(s.name) ?? false),
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
    if (s.children !== undefined && s.kind !== 'leaf' && s.kind !== 'leaf-list')
      addChildren(r, s.children, s.module, [], cx, fast);
    r.ownXPath = (s.must?.length ?? 0) > 0 || (s.when?.length ?? 0) > 0 || needsInstance(s);
    r.lazyLeaf = fast && s.kind === 'leaf' && !r.ownXPath && !r.isKey;
    r.xpath = r.ownXPath || r.children.some((k) => k.xpath);
    r.mandatoryAll = isMandatory(r, false);
    r.mandatoryConfig = s.config && isMandatory(r, true);
    r.implicitMust = hasImplicitMust(r);
    if (r.implicitMust) parent.implicitContainers.push(r);
    for (const n of jsonNames) parent.members.set(n, r);
    parent.children.push(r);
    if (r.mandatoryConfig) parent.mustHaveConfig.push(r);
    if (r.mandatoryAll) parent.mustHaveAll.push(r);
    if (s.defaults !== undefined && (s.kind === 'leaf' || s.kind === 'leaf-list')) parent.withDefaults.push(r);
  }
}

function needsInstance(s: SchemaNode): boolean {
  const t = s.type;
  if (t === undefined) return false;
  const walk = (x: typeof t): boolean =>
    (x.base === 'leafref' && x.requireInstance !== false) ||
    x.base === 'instance-identifier' ||
    (x.union?.some(walk) ?? false);
  return walk(t);
}

/** A non-presence container whose own `must`s, or those of what exists with it (NP containers, defaults), apply while it is absent. */
function hasImplicitMust(r: RuntimeNode): boolean {
  const s = r.schema;
  if (s.kind !== 'container' || s.presence === true) return false;
  if ((s.must?.length ?? 0) > 0) return true;
  // only the default case of a choice exists without data
  return r.children.some(
    (k) =>
      k.cases.every((c) => c.choice.schema.defaultCase === c.name) &&
      (k.implicitMust || (k.schema.defaults !== undefined && (k.schema.must?.length ?? 0) > 0)),
  );
}

function isMandatory(r: RuntimeNode, config: boolean): boolean {
  const s = r.schema;
  if (s.mandatory === true) return true;
  if ((s.kind === 'list' || s.kind === 'leaf-list') && (s.minElements ?? 0) > 0) return true;
  if (s.kind === 'container' && s.presence !== true)
    return (
      r.children.some((k) => (config ? k.mandatoryConfig : k.mandatoryAll)) ||
      r.choices.some((c) => c.schema.mandatory === true && c.outer === undefined && (!config || c.schema.config))
    );
  return false;
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
  readonly regex: (js: string) => RegExp;
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
  const visit = (r: RuntimeNode, anc: RuntimeNode[]): void => {
    const below = [...anc, r];
    for (const k of r.children) {
      const compiled = (k.schema.must ?? []).map((c) => {
        const m = compileMust(c.expr, k, below);
        // a condition object met twice (shared by two places) keeps the generic evaluator
        out.set(c, out.has(c) ? null : (m?.test ?? null));
        return m;
      });
      visit(k, below);
      if (k.schema.kind !== 'leaf' || k.isKey || !k.ownXPath || (k.schema.when?.length ?? 0) > 0) continue;
      if (!compiled.every((m) => m !== undefined && m.reach <= 1)) continue;
      const ref = needsInstance(k.schema);
      if (ref && !refersToOwnKey(k.schema.type!, r)) continue;
      k.early = { musts: compiled.map((m) => m!.test), self: compiled.some((m) => m!.self), leafref: ref };
      k.lazyLeaf = true;
      if (compiled.length > 0) r.earlyLeaves.push(k);
      if (ref) r.earlyLeafrefs.push(k);
    }
    if (r.children.some((k) => k.lazyLeaf || k.schema.kind === 'list'))
      r.lazy = { config: lazyFor(r, true), data: lazyFor(r, false) };
  };
  visit(holder, []);
}

/** A required leafref `../../list/key` from a leaf of `list`'s entries to the list's only key. */
function refersToOwnKey(t: TypeSpec, list: RuntimeNode): boolean {
  const keys = list.schema.keys ?? [];
  if (
    t.base !== 'leafref' ||
    t.requireInstance === false ||
    t.path === undefined ||
    list.schema.kind !== 'list' ||
    keys.length !== 1
  )
    return false;
  const e: XPathExpr = t.path;
  if (
    e.t !== 'path' ||
    e.abs ||
    e.from !== undefined ||
    e.steps.length !== 4 ||
    e.steps.some((st) => st.preds.length > 0)
  )
    return false;
  const [u1, u2, l, k] = e.steps as readonly [Step, Step, Step, Step];
  const up = (st: Step): boolean => st.axis === 'parent' && st.test.k === 'node';
  const named = (st: Step, module: string, name: string): boolean =>
    st.axis === 'child' && st.test.k === 'name' && st.test.module === module && st.test.name === name;
  const key = list.members.get(keys[0]!);
  return (
    up(u1) &&
    up(u2) &&
    named(l, list.schema.module, list.schema.name) &&
    key !== undefined &&
    named(k, key.schema.module, key.schema.name)
  );
}

/** Prepares a compiled schema for validation. */
export function prepare(schema: CompiledSchema, options: PrepareOptions = {}): Runtime {
  const fast = options.fastPaths ?? true;
  const cache = new Map<string, RegExp>();
  const regex = (js: string): RegExp => {
    let re = cache.get(js);
    if (re === undefined) {
      re = new RegExp(js, 'u');
      cache.set(js, re);
    }
    return re;
  };
  const xsd = new Map<string, RegExp>();
  const xsdRegex = (p: string): RegExp => {
    let re = xsd.get(p);
    if (re === undefined) {
      re = new RegExp(xsdToJs(p), 'u');
      xsd.set(p, re);
    }
    return re;
  };
  const implemented = new Set(schema.modules.filter((m) => m.implemented).map((m) => m.name));
  const cx = { identities: schema.identities, implemented, regex };
  const derived = new Map<string, ReadonlySet<string>>(
    Object.entries(schema.identities).map(([k, v]) => [k, new Set(v.derived)]),
  );
  const data = prepareNodes(schema.data, undefined, cx, fast);
  const { rpcs, actions, notifications } = prepareOperations(schema, data, cx, fast);
  const operations = [...rpcs.values(), ...actions.values(), ...notifications.values()];
  const tree =
    data.children.some((k) => k.xpath) ||
    operations.some(
      (o) =>
        o.input.children.some((k) => k.xpath) ||
        o.output.children.some((k) => k.xpath) ||
        o.inputNode.must !== undefined ||
        o.outputNode.must !== undefined,
    );
  const fastMust = new Map<Condition, FastCondition | null>();
  if (fast)
    for (const holder of [data, ...operations.flatMap((o) => [o.input, o.output])]) prepareFast(holder, fastMust);
  return { schema, data, rpcs, actions, notifications, derived, regex, xsdRegex, tree, fastMust, fastPaths: fast };
}
