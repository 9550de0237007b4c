import type { SchemaNode } from '../schema.ts';
import { addNode, type DataNode } from '../xpath/data-node.ts';
import { childPath, pathOf } from './issue.ts';
import { walkLeafList, walkList } from './lists.ts';
import type { RuntimeChoice, RuntimeNode } from './runtime.ts';
import { defer, hasMember, isObject, issue, typeIssue, type Walk } from './walk.ts';

export { issue, type TreeMode, type Walk } from './walk.ts';

const SEEN_MAX = 32;

const PLACEHOLDER: DataNode = Object.freeze({
  name: '',
  module: '',
  parent: undefined,
  schema: undefined,
  value: undefined,
  children: [],
});

/** Validates the members of a JSON object against the children of `r`, building data nodes under `dn`. */
export function walkMembers(w: Walk, r: RuntimeNode, obj: Record<string, unknown>, dn: DataNode): void {
  // Children are gathered in a list reused per depth, then kept as an exact-size
  // copy: a list grown by push holds 17 slots, and at 100k entries the tree's
  // size (it outlives the walk) sets the speed.
  // Each list starts with a placeholder that is never cut: V8 drops the
  // storage of an array whose length is set to 0, and regrowing it cost an
  // allocation per list entry. The placeholder matches no name.
  const own = dn.children;
  let gathered = w.scratch[w.depth];
  if (gathered === undefined) {
    gathered = [PLACEHOLDER];
    w.scratch[w.depth] = gathered;
  }
  w.depth++;
  dn.children = gathered;
  walkChildren(w, r, obj, dn);
  w.depth--;
  dn.children = gathered.length === 1 ? own : own.length === 0 ? gathered.slice(1) : own.concat(gathered.slice(1));
  gathered.length = 1;
  if (!w.tree) return;
  // plain leaves were only checked and list entries may be gone: the node completes them if XPath ever walks into it (validate/lazy.ts)
  dn.source = obj;
  if (r.lazy !== undefined) dn.lazy = w.mode === 'config' ? r.lazy.config : r.lazy.data;
  if (r.earlyLeaves.length > 0) earlyMusts(w, r, obj, dn);
}

/** The `must`s of early leaves, on the finished node (they read only its leaves); a failure sends the run to the generic path. */
function earlyMusts(w: Walk, r: RuntimeNode, obj: Record<string, unknown>, dn: DataNode): void {
  const config = w.mode === 'config';
  const early = r.earlyLeaves;
  for (let i = 0; i < early.length; i++) {
    const k = early[i]!;
    const { musts, self } = k.early!;
    if (config && !k.schema.config) continue;
    for (let j = 0; j < k.jsonNames.length; j++) {
      const v = obj[k.jsonNames[j]!];
      if (v === undefined) continue;
      // the walk checked the value already; only a must reading `.` needs its canonical string. A value
      // that failed its type has no node and no must on the generic path: a must failing on it here only
      // sends the run there (the walk reported the type issue either way)
      const c = self ? k.check!(v, true) : '';
      if (typeof c !== 'string') continue;
      for (let m = 0; m < musts.length; m++) {
        if (!musts[m]!(undefined, dn, c, config)) {
          w.fallback = true;
          return;
        }
      }
    }
  }
}

function walkChildren(w: Walk, r: RuntimeNode, obj: Record<string, unknown>, dn: DataNode): void {
  const active = r.choices.length > 0 ? new Map<RuntimeChoice, string>() : undefined;
  // objects of one list mostly list the same members in the same order: the
  // member met at each position last time is checked first (a string compare,
  // not a hash lookup); only a hint, always verified
  const seenKeys = r.seenKeys;
  const seenNodes = r.seenNodes;
  let at = 0;
  for (const key in obj) {
    let child: RuntimeNode | undefined;
    if (seenKeys[at] === key) child = seenNodes[at];
    else {
      child = r.members.get(key);
      if (at < SEEN_MAX) {
        seenKeys[at] = key;
        seenNodes[at] = child;
      }
    }
    at++;
    if (child === undefined) {
      unknownMember(w, r, key, dn);
      continue;
    }
    if (w.mode === 'config' && !child.schema.config) {
      issue(
        w,
        'state',
        childPath(dn, child.schema.module, child.schema.name),
        `Unexpected state node "${child.schema.name}" (config false) in configuration data`,
      );
      continue;
    }
    // an empty non-presence container, or a list given as [], is not data of
    // its case (libyang treats the container as a default node, [] as no entries)
    if (active !== undefined && !noData(child, obj[key])) {
      for (const c of child.cases) {
        const prev = active.get(c.choice);
        if (prev === undefined) active.set(c.choice, c.name);
        else if (prev !== c.name)
          issue(
            w,
            'choice',
            pathOf(dn),
            `Data for both cases "${prev}" and "${c.name}" of choice "${c.choice.schema.name}" exist`,
          );
      }
    }
    walkValue(w, child, obj[key], dn);
  }
  const mustHave = w.mode === 'config' ? r.mustHaveConfig : r.mustHaveAll;
  for (let i = 0; i < mustHave.length; i++) {
    const k = mustHave[i]!;
    if (hasMember(obj, k)) continue;
    if (!casesActive(k, active)) continue;
    // built below as an implicit container, which reports what it misses
    if (k.implicitMust) continue;
    missing(w, k, dn, childPath(dn, k.schema.module, k.schema.name));
  }
  if (r.choices.length > 0) mandatoryChoices(w, r, dn, active);
  if (r.implicitContainers.length > 0) implicitContainers(w, r, obj, dn, active);
  if (r.xpath && r.withDefaults.length > 0) addDefaults(w, r, obj, dn, active);
}

/** A member the node does not define; an action or notification defined there is named itself, as libyang does. */
function unknownMember(w: Walk, r: RuntimeNode, key: string, dn: DataNode): void {
  const op = r.operations?.get(key);
  if (op !== undefined) {
    const what = op.kind === 'notification' ? 'notification' : op.kind === 'action' ? 'action' : 'RPC';
    issue(w, 'unknown', childPath(dn, op.module, op.name), `Unexpected ${what} "${op.name}" in data`, {
      received: key,
    });
    return;
  }
  issue(
    w,
    'unknown',
    pathOf(dn),
    `Node "${key}" not found as a child of ${dn.parent === undefined ? 'the data root' : `"${dn.name}"`}`,
    { received: key },
  );
}

/** A mandatory choice without data is named at the data node holding it (a choice is no data node). */
function mandatoryChoices(w: Walk, r: RuntimeNode, dn: DataNode, active: Map<RuntimeChoice, string> | undefined): void {
  for (const c of r.choices) {
    if (c.schema.mandatory !== true || (w.mode === 'config' && !c.schema.config)) continue;
    if (active?.has(c) === true) continue;
    if (c.outer !== undefined && active?.get(c.outer.choice) !== c.outer.name) continue;
    issue(w, 'mandatory', pathOf(dn), `Mandatory choice "${c.schema.name}" has no case with data`);
  }
}

/**
 * RFC 7950 §7.5.1, §7.5.3: an absent non-presence container exists with its
 * parent, so its `must`s (and those below it) apply. Built as if given as
 * `{}`; one with a `when` waits until the tree is complete, since it exists
 * only while that holds. Only the active case's (else the default case's)
 * containers exist.
 */
function implicitContainers(
  w: Walk,
  r: RuntimeNode,
  obj: Record<string, unknown>,
  dn: DataNode,
  active: Map<RuntimeChoice, string> | undefined,
): void {
  for (const k of r.implicitContainers) {
    if (hasMember(obj, k) || (w.mode === 'config' && !k.schema.config)) continue;
    if (!k.cases.every((c) => (active?.get(c.choice) ?? c.choice.schema.defaultCase) === c.name)) continue;
    if ((k.schema.when?.length ?? 0) > 0) w.implicitWhen.push({ node: k, parent: dn });
    else walkImplicit(w, k, addNode(dn, k.schema, k.schema.name, k.schema.module));
  }
}

/** Walks an absent non-presence container's node as an empty object. */
export function walkImplicit(w: Walk, k: RuntimeNode, n: DataNode): void {
  if (k.ownXPath) w.deferred.push(n);
  walkMembers(w, k, {}, n);
}

/** Whether a member's value instantiates no data node: an empty non-presence container (recursively) or an empty list or leaf-list. */
function noData(r: RuntimeNode, v: unknown): boolean {
  const kind = r.schema.kind;
  if (kind === 'list' || kind === 'leaf-list') return Array.isArray(v) && v.length === 0;
  if (kind !== 'container' || r.schema.presence === true || !isObject(v)) return false;
  for (const k in v) {
    const c = r.members.get(k);
    if (c === undefined || !noData(c, v[k])) return false;
  }
  return true;
}

function casesActive(k: RuntimeNode, active: Map<RuntimeChoice, string> | undefined): boolean {
  for (const c of k.cases) if (active?.get(c.choice) !== c.name) return false;
  return true;
}

/** Reports a missing mandatory node; an absent non-presence container reports what it misses. */
export function missing(w: Walk, k: RuntimeNode, parent: DataNode, path: string): void {
  if ((k.schema.when?.length ?? 0) > 0) {
    w.guarded.push({ node: k, parent, path });
    return;
  }
  const s = k.schema;
  if (s.kind === 'container' && s.presence !== true) {
    for (const kk of k.children)
      if ((w.mode === 'config' ? kk.mandatoryConfig : kk.mandatoryAll) && kk.cases.length === 0)
        missing(
          w,
          kk,
          parent,
          `${path}/${kk.schema.module === s.module ? kk.schema.name : `${kk.schema.module}:${kk.schema.name}`}`,
        );
    for (const c of k.choices)
      if (c.schema.mandatory === true && c.outer === undefined)
        issue(w, 'mandatory', path, `Mandatory choice "${c.schema.name}" has no case with data`);
    return;
  }
  if (s.kind === 'list' || s.kind === 'leaf-list')
    issue(w, 'min-elements', path, `Too few "${s.name}" instances: at least ${s.minElements} required, got 0`);
  else issue(w, 'mandatory', path, `Mandatory node "${s.name}" instance does not exist`);
}

/** RFC 7950 §7.6.1: defaults are in the tree for XPath; added only where XPath rules need them. Their own `must`s apply, as libyang checks them. */
function addDefaults(
  w: Walk,
  r: RuntimeNode,
  obj: Record<string, unknown>,
  dn: DataNode,
  active: Map<RuntimeChoice, string> | undefined,
): void {
  for (const k of r.withDefaults) {
    const s = k.schema;
    if (s.defaults === undefined) continue;
    if (k.jsonNames.some((n) => obj[n] !== undefined)) continue;
    if (!k.cases.every((c) => (active?.get(c.choice) ?? c.choice.schema.defaultCase) === c.name)) continue;
    for (const d of s.defaults) {
      const v = k.check?.(typedDefault(s, d));
      const n = addNode(dn, s, s.name, s.module, typeof v === 'string' ? v : d, true);
      if (s.must !== undefined) w.deferred.push(n);
    }
  }
}

/** A value written in YANG text (a default, a key in a path) as RFC 7951 JSON would carry it. */
export function typedDefault(s: SchemaNode, d: string): unknown {
  const t = s.type?.base;
  if (t === 'int8' || t === 'int16' || t === 'int32' || t === 'uint8' || t === 'uint16' || t === 'uint32')
    return Number(d);
  if (t === 'boolean') return d === 'true';
  if (t === 'empty') return [null];
  return d;
}

/** Validates one member's value (leaf, leaf-list, container, list, anydata). */
export function walkValue(w: Walk, r: RuntimeNode, v: unknown, parent: DataNode): void {
  const s = r.schema;
  switch (s.kind) {
    case 'leaf': {
      const keep = (w.tree && !r.lazyLeaf) || r.isKey;
      const ref = r.early?.leafref === true;
      const c = r.check!(v, keep || ref);
      if (typeof c === 'string') {
        if (ref) w.leafrefValues[w.leafrefCount++] = c;
        if (keep) {
          const n = addNode(parent, s, s.name, s.module, c);
          if (r.ownXPath) defer(w, r, n, v);
        }
      } else typeIssue(w, childPath(parent, s.module, s.name), c, v);
      return;
    }
    case 'leaf-list':
      walkLeafList(w, r, v, parent);
      return;
    case 'container': {
      // yanglint names the parent for a member of the wrong JSON kind
      if (!isObject(v)) {
        issue(w, 'type', pathOf(parent), `Container "${s.name}" must be a JSON object`, {
          expected: 'object',
          received: v,
        });
        return;
      }
      const n = addNode(parent, s, s.name, s.module);
      if (r.ownXPath) w.deferred.push(n);
      walkMembers(w, r, v, n);
      return;
    }
    case 'list':
      walkList(w, r, v, parent);
      return;
    default: {
      const n = addNode(parent, s, s.name, s.module);
      if (s.kind === 'anydata' && !isObject(v))
        issue(w, 'type', pathOf(n), `anydata "${s.name}" must be a JSON object`, { expected: 'object', received: v });
      if (r.ownXPath) w.deferred.push(n);
    }
  }
}
