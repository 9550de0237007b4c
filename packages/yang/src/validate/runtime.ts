import type { CompiledSchema, Condition, SchemaNode, TypeSpec } from '../schema.ts';
import { type CheckContext, compileCheck, compileUnionMember, type ValueCheck } from '../types/check.ts';
import { xsdToJs } from '../types/xsd-regex.ts';
import type { Step, XPathExpr } from '../xpath/ast.ts';
import type { Lazy } from '../xpath/dnode.ts';
import { compileMust, type FastCondition } from './fast-must.ts';
import { lazyFor } from './lazy.ts';
import { prepareOperations, type ROperation } from './operations.ts';

/** A choice as the validator sees it: its cases and where it sits among outer choices. */
export interface RChoice {
  readonly s: SchemaNode;
  readonly outer: RCase | undefined;
}

/** A case membership: a node belongs to `case` of `choice`. */
export interface RCase {
  readonly choice: RChoice;
  readonly name: string;
}

/** A data node prepared for validation (checkers compiled, members indexed by JSON name). */
export interface RNode {
  readonly s: SchemaNode;
  readonly check: ValueCheck | undefined;
  /** JSON member name (simple and qualified) → child. */
  readonly members: Map<string, RNode>;
  /** Data children in schema order, through choices. */
  readonly kids: RNode[];
  /** Choices below this node (nested ones too), in schema order. */
  readonly choices: RChoice[];
  /** The cases this node is in, innermost last, relative to its parent data node. */
  readonly cases: RCase[];
  /** JSON member names this node may appear under in its parent object. */
  readonly jsonNames: string[];
  /** True when the node or a descendant has must, when, leafref or instance-identifier. */
  xpath: boolean;
  /** True when the node itself has must, when, leafref or instance-identifier. */
  own: boolean;
  /** For unions with reference members: the member type a value was taken as. */
  readonly memberOf: ((value: unknown) => TypeSpec | undefined) | undefined;
  /** True for a list key leaf (always kept in the data tree: paths and duplicate checks use it). */
  readonly isKey: boolean;
  /** Mandatory per RFC 7950 §3 (leaf/choice mandatory, min-elements, NP container holding one). */
  mandatoryConfig: boolean;
  mandatoryAll: boolean;
  /** Children that are mandatory in config / in all data, and leaves with defaults: precomputed for the per-object loops. */
  readonly mustHaveConfig: RNode[];
  readonly mustHaveAll: RNode[];
  readonly withDefaults: RNode[];
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
  early: { readonly musts: readonly FastCondition[]; readonly self: boolean; readonly ref: boolean } | undefined;
  /** Inner nodes: their early leaves with `must`s, and (lists) the early leaves that refer to the list's key. */
  readonly earlyLeaves: RNode[];
  readonly earlyRefs: RNode[];
  /**
   * A non-presence container that holds `must`s even when absent: RFC 7950
   * §7.5.1 makes it exist whenever its parent does, and libyang evaluates the
   * `must`s of such a container, of the non-presence containers it holds and
   * of its default leaves.
   */
  implicitMust: boolean;
  /** Children with `implicitMust`: the walk builds them when the object leaves them out (validate/tree.ts). */
  readonly implicitNp: RNode[];
  /** Actions and notifications defined in this node (the data root: RPCs and top-level notifications), by JSON member name. */
  ops: Map<string, ROperation> | undefined;
  /** Member names at each position of the last object walked against this node, and their nodes (validate/tree.ts; a verified hint). */
  readonly seenKeys: string[];
  readonly seenNodes: (RNode | undefined)[];
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
): RNode {
  const holder = emptyNode(parentModule);
  addChildren(holder, nodes, parentModule, [], cx, fast);
  return holder;
}

function emptyNode(module: string | undefined): RNode {
  const s = { kind: 'container', name: '', module: module ?? '', config: true } as SchemaNode;
  return {
    s,
    check: undefined,
    memberOf: undefined,
    members: new Map(),
    kids: [],
    choices: [],
    cases: [],
    jsonNames: [],
    xpath: false,
    own: false,
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
    earlyRefs: [],
    implicitMust: false,
    implicitNp: [],
    ops: undefined,
    seenKeys: [],
    seenNodes: [],
  };
}

function addChildren(
  parent: RNode,
  nodes: readonly SchemaNode[],
  parentModule: string | undefined,
  cases: RCase[],
  cx: Omit<CheckContext, 'module'>,
  fast: boolean,
): void {
  for (const s of nodes) {
    if (s.kind === 'choice') {
      const choice: RChoice = { s, outer: cases[cases.length - 1] };
      parent.choices.push(choice);
      for (const c of s.children ?? [])
        addChildren(parent, c.children ?? [], parentModule, [...cases, { choice, name: c.name }], cx, fast);
      continue;
    }
    const jsonNames = [`${s.module}:${s.name}`];
    if (parentModule === s.module) jsonNames.push(s.name);
    const r: RNode = {
      s,
      check: s.type === undefined ? undefined : compileCheck(s.type, { ...cx, module: s.module }),
      memberOf: s.type === undefined ? undefined : compileUnionMember(s.type, { ...cx, module: s.module }),
      members: new Map(),
      kids: [],
      choices: [],
      cases,
      jsonNames,
      xpath: false,
      own: false,
      mandatoryConfig: false,
      mandatoryAll: false,
      isKey: parent.s.kind === 'list' && (parent.s.keys?.includes(s.name) ?? false),
      mustHaveConfig: [],
      mustHaveAll: [],
      withDefaults: [],
      lazyLeaf: false,
      lazy: undefined,
      early: undefined,
      earlyLeaves: [],
      earlyRefs: [],
      implicitMust: false,
      implicitNp: [],
      ops: undefined,
      seenKeys: [],
      seenNodes: [],
    };
    if (s.children !== undefined && s.kind !== 'leaf' && s.kind !== 'leaf-list')
      addChildren(r, s.children, s.module, [], cx, fast);
    r.own = (s.must?.length ?? 0) > 0 || (s.when?.length ?? 0) > 0 || needsInstance(s);
    r.lazyLeaf = fast && s.kind === 'leaf' && !r.own && !r.isKey;
    r.xpath = r.own || r.kids.some((k) => k.xpath);
    r.mandatoryAll = isMandatory(r, false);
    r.mandatoryConfig = s.config && isMandatory(r, true);
    r.implicitMust = hasImplicitMust(r);
    if (r.implicitMust) parent.implicitNp.push(r);
    for (const n of jsonNames) parent.members.set(n, r);
    parent.kids.push(r);
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
function hasImplicitMust(r: RNode): boolean {
  const s = r.s;
  if (s.kind !== 'container' || s.presence === true) return false;
  if ((s.must?.length ?? 0) > 0) return true;
  // only the default case of a choice exists without data
  return r.kids.some(
    (k) =>
      k.cases.every((c) => c.choice.s.defaultCase === c.name) &&
      (k.implicitMust || (k.s.defaults !== undefined && (k.s.must?.length ?? 0) > 0)),
  );
}

function isMandatory(r: RNode, config: boolean): boolean {
  const s = r.s;
  if (s.mandatory === true) return true;
  if ((s.kind === 'list' || s.kind === 'leaf-list') && (s.minElements ?? 0) > 0) return true;
  if (s.kind === 'container' && s.presence !== true)
    return (
      r.kids.some((k) => (config ? k.mandatoryConfig : k.mandatoryAll)) ||
      r.choices.some((c) => c.s.mandatory === true && c.outer === undefined && (!config || c.s.config))
    );
  return false;
}

/** Runtime form of a whole schema, built once per schema object. */
export interface Runtime {
  readonly schema: CompiledSchema;
  readonly data: RNode;
  /** RPCs by `module:name`. */
  readonly rpcs: Map<string, ROperation>;
  /** Actions by schema path (`/m:top/list/action`). */
  readonly actions: Map<string, ROperation>;
  /** Notifications by `module:name` (top level) or schema path (nested). */
  readonly notifications: Map<string, ROperation>;
  readonly derived: Map<string, ReadonlySet<string>>;
  readonly regex: (js: string) => RegExp;
  /** False when no node has must, when, leafref or instance-identifier: leaves then need no data nodes. */
  readonly tree: boolean;
  /** An XSD pattern (from `re-match()`), translated and compiled once. */
  readonly xsdRegex: (xsd: string) => RegExp;
  /** `must` conditions compiled to direct reads (validate/fast-must.ts); null for shapes (or shared conditions) the generic evaluator keeps. */
  readonly fastMust: Map<Condition, FastCondition | null>;
  /** The fast paths are on (PrepareOptions.fastPaths). */
  readonly fast: boolean;
}

/**
 * The fast paths, once the runtime tree is complete: `must`s compiled to
 * direct reads, leaves whose rules the walk can decide itself, and the
 * completion of inner nodes that keep only what they must.
 */
function prepareFast(holder: RNode, out: Map<Condition, FastCondition | null>): void {
  const visit = (r: RNode, anc: RNode[]): void => {
    const below = [...anc, r];
    for (const k of r.kids) {
      const compiled = (k.s.must ?? []).map((c) => {
        const m = compileMust(c.expr, k, below);
        // a condition object met twice (shared by two places) keeps the generic evaluator
        out.set(c, out.has(c) ? null : (m?.test ?? null));
        return m;
      });
      visit(k, below);
      if (k.s.kind !== 'leaf' || k.isKey || !k.own || (k.s.when?.length ?? 0) > 0) continue;
      if (!compiled.every((m) => m !== undefined && m.reach <= 1)) continue;
      const ref = needsInstance(k.s);
      if (ref && !refersToOwnKey(k.s.type!, r)) continue;
      k.early = { musts: compiled.map((m) => m!.test), self: compiled.some((m) => m!.self), ref };
      k.lazyLeaf = true;
      if (compiled.length > 0) r.earlyLeaves.push(k);
      if (ref) r.earlyRefs.push(k);
    }
    if (r.kids.some((k) => k.lazyLeaf || k.s.kind === 'list'))
      r.lazy = { config: lazyFor(r, true), data: lazyFor(r, false) };
  };
  visit(holder, []);
}

/** A required leafref `../../list/key` from a leaf of `list`'s entries to the list's only key. */
function refersToOwnKey(t: TypeSpec, list: RNode): boolean {
  const keys = list.s.keys ?? [];
  if (
    t.base !== 'leafref' ||
    t.requireInstance === false ||
    t.path === undefined ||
    list.s.kind !== 'list' ||
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
    up(u1) && up(u2) && named(l, list.s.module, list.s.name) && key !== undefined && named(k, key.s.module, key.s.name)
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
    data.kids.some((k) => k.xpath) ||
    operations.some(
      (o) =>
        o.input.kids.some((k) => k.xpath) ||
        o.output.kids.some((k) => k.xpath) ||
        o.inputNode.must !== undefined ||
        o.outputNode.must !== undefined,
    );
  const fastMust = new Map<Condition, FastCondition | null>();
  if (fast)
    for (const holder of [data, ...operations.flatMap((o) => [o.input, o.output])]) prepareFast(holder, fastMust);
  return { schema, data, rpcs, actions, notifications, derived, regex, xsdRegex, tree, fastMust, fast };
}
