import type { SchemaNode, TypeSpec } from '../schema.ts';
import { type DNode, detachedNode, dnode } from '../xpath/dnode.ts';
import { childPath, type IssueKind, pathOf, type YangIssue } from './issue.ts';
import type { RChoice, RNode } from './runtime.ts';

/** Which document is validated: configuration only, or configuration and state. */
export type TreeMode = 'config' | 'data';

/** State of one validation run: the issues and the nodes whose XPath rules run after the tree is built. */
export interface Walk {
  readonly mode: TreeMode;
  readonly issues: YangIssue[];
  /** Data nodes with their own must, when, leafref or instance-identifier (their schema says which). */
  readonly deferred: DNode[];
  /** Union values taken as a leafref or instance-identifier member, and that member. */
  readonly unionRefs: Map<DNode, TypeSpec>;
  /** Missing mandatory nodes guarded by `when`: reported only if their condition holds on the finished tree. */
  readonly guarded: { r: RNode; parent: DNode; path: string }[];
  /** Stop collecting after this many issues. */
  readonly limit: number;
  /** Build data nodes for every leaf (XPath needs them); otherwise only for list keys. */
  readonly tree: boolean;
}

export function issue(w: Walk, kind: IssueKind, path: string, message: string, extra: { expected?: string; received?: unknown; appTag?: string } = {}): void {
  if (w.issues.length < w.limit) w.issues.push({ kind, path: path === '' ? '/' : path, message, ...extra });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the members of a JSON object against the children of `r`, building data nodes under `dn`. */
export function walkMembers(w: Walk, r: RNode, obj: Record<string, unknown>, dn: DNode): void {
  const active = r.choices.length > 0 ? new Map<RChoice, string>() : undefined;
  for (const key in obj) {
    const child = r.members.get(key);
    if (child === undefined) {
      issue(w, 'unknown', pathOf(dn), `Node "${key}" not found as a child of ${dn.parent === undefined ? 'the data root' : `"${dn.name}"`}`, { received: key });
      continue;
    }
    if (w.mode === 'config' && !child.s.config) {
      issue(w, 'state', childPath(dn, child.s.module, child.s.name), `Unexpected state node "${child.s.name}" (config false) in configuration data`);
      continue;
    }
    // an empty non-presence container is not data of its case (libyang treats it as a default node)
    if (active !== undefined && !(child.s.kind === 'container' && emptyContainer(child, obj[key]))) {
      for (const c of child.cases) {
        const prev = active.get(c.choice);
        if (prev === undefined) active.set(c.choice, c.name);
        else if (prev !== c.name) issue(w, 'choice', pathOf(dn), `Data for both cases "${prev}" and "${c.name}" of choice "${c.choice.s.name}" exist`);
      }
    }
    walkValue(w, child, obj[key], dn);
  }
  for (const k of w.mode === 'config' ? r.mustHaveConfig : r.mustHaveAll) {
    if (obj[k.jsonNames[0]!] !== undefined || (k.jsonNames.length > 1 && obj[k.jsonNames[1]!] !== undefined)) continue;
    if (!casesActive(k, active)) continue;
    missing(w, k, dn, childPath(dn, k.s.module, k.s.name));
  }
  if (r.choices.length > 0) mandatoryChoices(w, r, dn, active);
  if (r.xpath && r.withDefaults.length > 0) addDefaults(r, obj, dn, active);
}

function mandatoryChoices(w: Walk, r: RNode, dn: DNode, active: Map<RChoice, string> | undefined): void {
  for (const c of r.choices) {
    if (c.s.mandatory !== true || (w.mode === 'config' && !c.s.config)) continue;
    if (active?.has(c) === true) continue;
    if (c.outer !== undefined && active?.get(c.outer.choice) !== c.outer.name) continue;
    issue(w, 'mandatory', childPath(dn, c.s.module, c.s.name), `Mandatory choice "${c.s.name}" has no case with data`);
  }
}

function emptyContainer(r: RNode, v: unknown): boolean {
  if (r.s.presence === true || !isObject(v)) return false;
  for (const k in v) {
    const c = r.members.get(k);
    if (c === undefined || c.s.kind !== 'container' || !emptyContainer(c, v[k])) return false;
  }
  return true;
}

function casesActive(k: RNode, active: Map<RChoice, string> | undefined): boolean {
  for (const c of k.cases) if (active?.get(c.choice) !== c.name) return false;
  return true;
}

/** Reports a missing mandatory node; an absent non-presence container reports what it misses. */
export function missing(w: Walk, k: RNode, parent: DNode, path: string): void {
  if ((k.s.when?.length ?? 0) > 0) {
    w.guarded.push({ r: k, parent, path });
    return;
  }
  const s = k.s;
  if (s.kind === 'container' && s.presence !== true) {
    for (const kk of k.kids) if ((w.mode === 'config' ? kk.mandatoryConfig : kk.mandatoryAll) && kk.cases.length === 0) missing(w, kk, parent, `${path}/${kk.s.module === s.module ? kk.s.name : kk.s.module + ':' + kk.s.name}`);
    for (const c of k.choices) if (c.s.mandatory === true && c.outer === undefined) issue(w, 'mandatory', `${path}/${c.s.name}`, `Mandatory choice "${c.s.name}" has no case with data`);
    return;
  }
  if (s.kind === 'list' || s.kind === 'leaf-list') issue(w, 'min-elements', path, `Too few "${s.name}" instances: at least ${s.minElements} required, got 0`);
  else issue(w, 'mandatory', path, `Mandatory node "${s.name}" instance does not exist`);
}

/** RFC 7950 §7.6.1: defaults are in the tree for XPath; added only where XPath rules need them. */
function addDefaults(r: RNode, obj: Record<string, unknown>, dn: DNode, active: Map<RChoice, string> | undefined): void {
  for (const k of r.withDefaults) {
    const s = k.s;
    if (s.defaults === undefined) continue;
    if (k.jsonNames.some((n) => obj[n] !== undefined)) continue;
    if (!k.cases.every((c) => (active?.get(c.choice) ?? c.choice.s.defaultCase) === c.name)) continue;
    for (const d of s.defaults) {
      const v = k.check?.(typedDefault(s, d));
      dnode(dn, s, s.name, s.module, typeof v === 'string' ? v : d, true);
    }
  }
}

function typedDefault(s: SchemaNode, d: string): unknown {
  const t = s.type?.base;
  if (t === 'int8' || t === 'int16' || t === 'int32' || t === 'uint8' || t === 'uint16' || t === 'uint32') return Number(d);
  if (t === 'boolean') return d === 'true';
  if (t === 'empty') return [null];
  return d;
}

/** Validates one member's value (leaf, leaf-list, container, list, anydata). */
export function walkValue(w: Walk, r: RNode, v: unknown, parent: DNode): void {
  const s = r.s;
  switch (s.kind) {
    case 'leaf': {
      const keep = w.tree || r.isKey;
      const c = r.check!(v, keep);
      if (typeof c === 'string') {
        if (keep) {
          const n = dnode(parent, s, s.name, s.module, c);
          if (r.own) defer(w, r, n, v);
        }
      } else typeIssue(w, childPath(parent, s.module, s.name), c, v);
      return;
    }
    case 'leaf-list': return walkLeafList(w, r, v, parent);
    case 'container': {
      // yanglint names the parent for a member of the wrong JSON kind
      if (!isObject(v)) return issue(w, 'type', pathOf(parent), `Container "${s.name}" must be a JSON object`, { expected: 'object', received: v });
      const n = dnode(parent, s, s.name, s.module);
      if (r.own) w.deferred.push(n);
      return walkMembers(w, r, v, n);
    }
    case 'list': return walkList(w, r, v, parent);
    default: {
      const n = dnode(parent, s, s.name, s.module);
      if (s.kind === 'anydata' && !isObject(v)) issue(w, 'type', pathOf(n), `anydata "${s.name}" must be a JSON object`, { expected: 'object', received: v });
      if (r.own) w.deferred.push(n);
    }
  }
}

function defer(w: Walk, r: RNode, n: DNode, v: unknown): void {
  w.deferred.push(n);
  const m = r.memberOf?.(v);
  if (m !== undefined) w.unionRefs.set(n, m);
}

function typeIssue(w: Walk, path: string, f: { kind: IssueKind; expected: string; message?: string }, v: unknown): void {
  const shown = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
  issue(w, f.kind, path, f.message ?? `Invalid value ${shown}: expected ${f.expected}`, { expected: f.expected, received: v });
}

function walkLeafList(w: Walk, r: RNode, v: unknown, parent: DNode): void {
  const s = r.s;
  const path = childPath(parent, s.module, s.name);
  if (!Array.isArray(v)) return issue(w, 'type', pathOf(parent), `Leaf-list "${s.name}" must be a JSON array`, { expected: 'array', received: v });
  const seen = s.config ? new Set<string>() : undefined;
  const canonical = w.tree || s.config;
  for (const item of v) {
    const c = r.check!(item, canonical);
    if (typeof c !== 'string') {
      typeIssue(w, path, c, item);
      continue;
    }
    if (seen !== undefined) {
      if (seen.has(c)) issue(w, 'duplicate', `${path}[.=${c.includes("'") ? `"${c}"` : `'${c}'`}]`, `Duplicate instance of "${s.name}"`);
      seen.add(c);
    }
    if (w.tree) {
      const n = dnode(parent, s, s.name, s.module, c);
      if (r.own) defer(w, r, n, item);
    }
  }
  elements(w, s, v.length, path, () => {
    const c = r.check!(v[s.maxElements!], true);
    return typeof c === 'string' ? `${path}[.=${c.includes("'") ? `"${c}"` : `'${c}'`}]` : path;
  });
}

/** min/max-elements; a max violation is named at the first instance too many, as yanglint does. */
function elements(w: Walk, s: SchemaNode, count: number, path: string, extra: () => string): void {
  if (s.minElements !== undefined && count < s.minElements) issue(w, 'min-elements', path, `Too few "${s.name}" instances: at least ${s.minElements} required, got ${count}`);
  if (s.maxElements !== undefined && count > s.maxElements) issue(w, 'max-elements', extra(), `Too many "${s.name}" instances: at most ${s.maxElements} allowed, got ${count}`);
}

function walkList(w: Walk, r: RNode, v: unknown, parent: DNode): void {
  const s = r.s;
  const path = childPath(parent, s.module, s.name);
  if (!Array.isArray(v)) return issue(w, 'type', pathOf(parent), `List "${s.name}" must be a JSON array`, { expected: 'array', received: v });
  const keys = s.keys ?? [];
  const keyRs = keys.map((k) => r.members.get(k)!);
  const seen = keys.length > 0 && s.config ? new Set<string>() : undefined;
  const uniques = s.unique?.map(() => new Map<string, DNode>());
  let extra: DNode | undefined;
  for (let index = 0; index < v.length; index++) {
    const entry: unknown = v[index];
    if (!isObject(entry)) {
      issue(w, 'type', pathOf(parent), `Each "${s.name}" list entry must be a JSON object`, { expected: 'object', received: entry });
      continue;
    }
    let missingKey: RNode | undefined;
    for (const k of keyRs) {
      if (entry[k.jsonNames[0]!] === undefined && (k.jsonNames.length === 1 || entry[k.jsonNames[1]!] === undefined)) {
        missingKey = k;
        break;
      }
    }
    if (missingKey !== undefined) {
      // like libyang, still validate the entry's members, then report the key
      const loose = detachedNode(parent, s, s.name, s.module);
      walkMembers(w, r, entry, loose);
      issue(w, 'missing-key', pathOf(loose), `List instance is missing its key "${missingKey.s.name}"`);
      continue;
    }
    const n = dnode(parent, s, s.name, s.module);
    walkMembers(w, r, entry, n);
    if (index === s.maxElements) extra = n;
    if (r.own) w.deferred.push(n);
    if (seen !== undefined) {
      const id = keys.length === 1 ? keyValue(n, keys[0]!) : keys.map((k) => keyValue(n, k)).join('\u0000');
      if (seen.has(id)) issue(w, 'duplicate', pathOf(n), `Duplicate instance of "${s.name}"`);
      else seen.add(id);
    }
    if (uniques !== undefined) checkUnique(w, s, n, uniques);
  }
  elements(w, s, v.length, path, () => (extra === undefined ? path : pathOf(extra)));
}

/** RFC 7950 §7.8.3: entries where all `unique` leaves exist must differ in them. */
function checkUnique(w: Walk, s: SchemaNode, n: DNode, maps: Map<string, DNode>[]): void {
  s.unique!.forEach((tuple, i) => {
    let id = '';
    for (const path of tuple) {
      let cur: DNode | undefined = n;
      for (const step of path) cur = cur?.children.find((c) => c.name === step);
      if (cur?.value === undefined || cur.implicit === true) return;
      id += cur.value + '\u0000';
    }
    const prev = maps[i]!.get(id);
    // named at the earlier entry, as yanglint does
    if (prev !== undefined) issue(w, 'unique', pathOf(prev), `Unique data leaf(s) "${tuple.map((p) => p.join('/')).join(' ')}" not satisfied in "${pathOf(n)}" and "${pathOf(prev)}"`);
    else maps[i]!.set(id, n);
  });
}

function keyValue(n: DNode, key: string): string {
  for (const c of n.children) if (c.name === key) return c.value ?? '';
  return '';
}
