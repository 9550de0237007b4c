import type { SchemaNode } from '../schema.ts';
import {
  addNode,
  childrenOf,
  type DataNode,
  detachedNode,
  positionedLeaf,
  positionedNode,
} from '../xpath/data-node.ts';
import { childPath, pathOf } from './issue.ts';
import { KeyIndex } from './key-index.ts';
import type { RuntimeNode } from './runtime.ts';
import { walkMembers } from './tree.ts';
import { defer, hasMember, isObject, issue, type KeySet, typeIssue, type Walk } from './walk.ts';

// Lists and leaf-lists: keys, duplicates, unique, min/max-elements (RFC 7950 §7.7, §7.8).

export function walkLeafList(w: Walk, r: RuntimeNode, v: unknown, parent: DataNode): void {
  const s = r.schema;
  const path = childPath(parent, s.module, s.name);
  if (!Array.isArray(v)) {
    issue(w, 'type', pathOf(parent), `Leaf-list "${s.name}" must be a JSON array`, {
      expected: 'array',
      received: v,
    });
    return;
  }
  const seen = s.config ? new Set<string>() : undefined;
  const canonical = w.tree || s.config;
  for (let index = 0; index < v.length; index++) {
    const item: unknown = v[index];
    const c = r.check!(item, canonical);
    if (typeof c !== 'string') {
      typeIssue(w, path, c, item);
      continue;
    }
    if (seen !== undefined) {
      if (seen.has(c))
        issue(
          w,
          'duplicate',
          `${path}[.=${c.includes("'") ? `"${c}"` : `'${c}'`}]`,
          `Duplicate instance of "${s.name}"`,
        );
      seen.add(c);
    }
    if (w.tree) {
      // values repeat outside configuration, so there an entry is named by its position (RFC 7950 §9.13)
      const n = seen === undefined ? positionedLeaf(parent, s, c, index + 1) : addNode(parent, s, s.name, s.module, c);
      if (r.ownXPath) defer(w, r, n, item);
    }
  }
  elements(w, s, v.length, path, () => {
    if (!s.config) return `${path}[${s.maxElements! + 1}]`;
    const c = r.check!(v[s.maxElements!], true);
    return typeof c === 'string' ? `${path}[.=${c.includes("'") ? `"${c}"` : `'${c}'`}]` : path;
  });
}

/** min/max-elements; a max violation is named at the first instance too many, as yanglint does. */
function elements(w: Walk, s: SchemaNode, count: number, path: string, extra: () => string): void {
  if (s.minElements !== undefined && count < s.minElements)
    issue(w, 'min-elements', path, `Too few "${s.name}" instances: at least ${s.minElements} required, got ${count}`);
  if (s.maxElements !== undefined && count > s.maxElements)
    issue(w, 'max-elements', extra(), `Too many "${s.name}" instances: at most ${s.maxElements} allowed, got ${count}`);
}

export function walkList(w: Walk, r: RuntimeNode, v: unknown, parent: DataNode): void {
  const s = r.schema;
  const path = childPath(parent, s.module, s.name);
  if (!Array.isArray(v)) {
    issue(w, 'type', pathOf(parent), `List "${s.name}" must be a JSON array`, {
      expected: 'array',
      received: v,
    });
    return;
  }
  const keys = s.keys ?? [];
  const keyNodes = keys.map((k) => r.members.get(k)!);
  // keys identify an entry in state data and operations too (RFC 7950 §7.8.2), so they are unique everywhere
  const checked = keys.length > 0;
  // on the fast path a large list's single key goes to an index decided when the list ends (validate/key-index.ts):
  // a repeated key or a missing early leafref there sends the run to the generic path, which reports it in order.
  // A small list's Set stays in cache, and costs one allocation where the index costs several.
  const keyIndex =
    checked && w.fastPaths && keys.length === 1 && v.length >= KEY_INDEX_MIN
      ? new KeyIndex(v.length, r.earlyLeafrefs.length > 0 ? v.length : 0)
      : undefined;
  const seen = checked && keyIndex === undefined ? new Set<string>() : undefined;
  // a large list's key values double as the target set of leafrefs to its key (constraints.ts)
  const keyNode =
    checked && keys.length === 1 && w.tree && (v.length >= 32 || r.earlyLeafrefs.length > 0) ? keyNodes[0] : undefined;
  // early leafref values (validate/early.ts) not among the keys seen so far land in `pending`
  const run: ListRun = {
    keys,
    keyNodes,
    seen,
    keyIndex,
    uniques: s.unique?.map(() => new Map<string, DataNode>()),
    keyNode,
    exact: true,
    extra: undefined,
    pending: [],
  };
  walkEntries(w, r, v, parent, run);
  const { exact, extra, pending } = run;
  if (keyIndex !== undefined && !keyIndex.settle()) w.fallback = true;
  if (keyNode !== undefined) recordKeys(w, parent, { list: s, key: keyNode.schema, values: keyIndex ?? seen!, exact });
  if (r.earlyLeafrefs.length > 0) {
    // without a key set the early leafrefs cannot be decided here
    if (keyNode === undefined && pending.length > 0) w.fallback = true;
    else if (keyNode !== undefined) w.pending.push({ parent, list: r, values: pending });
  }
  elements(w, s, v.length, path, () => (extra === undefined ? path : pathOf(extra)));
}

// Below this many entries a list keeps its keys in a Set (validate/key-index.ts, docs/decisions/yang-004-key-index.md).
const KEY_INDEX_MIN = 2048;

/** A list's walk state, shared by the entry loop and what follows it. */
interface ListRun {
  readonly keys: readonly string[];
  readonly keyNodes: readonly RuntimeNode[];
  readonly seen: Set<string> | undefined;
  readonly keyIndex: KeyIndex | undefined;
  readonly uniques: Map<string, DataNode>[] | undefined;
  readonly keyNode: RuntimeNode | undefined;
  exact: boolean;
  extra: DataNode | undefined;
  readonly pending: string[];
}

// The entry loop is a function of its own: V8 compiles a long loop on stack
// replacement, and code after the loop in that compilation had no type
// feedback yet, so every run left optimized code at the loop's end.
function walkEntries(w: Walk, r: RuntimeNode, v: readonly unknown[], parent: DataNode, run: ListRun): void {
  const s = r.schema;
  const { keys, keyNodes: keyRs, seen, keyIndex, uniques, keyNode: keyR } = run;
  for (let index = 0; index < v.length; index++) {
    const entry: unknown = v[index];
    if (!isObject(entry)) {
      issue(w, 'type', pathOf(parent), `Each "${s.name}" list entry must be a JSON object`, {
        expected: 'object',
        received: entry,
      });
      continue;
    }
    let missingKey: RuntimeNode | undefined;
    for (let i = 0; i < keyRs.length; i++) {
      const k = keyRs[i]!;
      if (!hasMember(entry, k)) {
        missingKey = k;
        break;
      }
    }
    const refs = w.leafrefCount;
    if (missingKey !== undefined) {
      // like libyang, still validate the entry's members, then report the key
      const loose = detachedNode(parent, s, s.name, s.module);
      walkMembers(w, r, entry, loose);
      settleLeafrefs(w, refs, run);
      issue(w, 'missing-key', pathOf(loose), `List instance is missing its key "${missingKey.schema.name}"`);
      continue;
    }
    const before = w.deferred.length + w.guarded.length + w.implicitWhen.length;
    const n =
      keys.length === 0
        ? positionedNode(parent, s, index + 1, w.fastPaths)
        : w.fastPaths
          ? detachedNode(parent, s, s.name, s.module)
          : addNode(parent, s, s.name, s.module);
    walkMembers(w, r, entry, n);
    if (index === s.maxElements) run.extra = n;
    if (r.ownXPath) w.deferred.push(n);
    // an entry no later check refers to stays out of the tree: the parent rebuilds it if XPath walks there (validate/lazy.ts)
    if (w.fastPaths && w.tree && w.deferred.length + w.guarded.length + w.implicitWhen.length > before)
      parent.children.push(n);
    // keyNode is set only where the keys are checked (by the index or the Set)
    if (keyR !== undefined && run.exact && !hasKeyLeaf(n, keyR.schema)) run.exact = false;
    if (keyIndex !== undefined) keyIndex.addKey(keyValue(n, keys[0]!));
    else if (seen !== undefined) {
      const id = keys.length === 1 ? keyValue(n, keys[0]!) : keys.map((k) => keyValue(n, k)).join('\u0000');
      // one hash lookup per entry: at 100k entries the set no longer fits in cache
      const size = seen.size;
      if (seen.add(id).size === size) issue(w, 'duplicate', pathOf(n), `Duplicate instance of "${s.name}"`);
    }
    settleLeafrefs(w, refs, run);
    if (uniques !== undefined) checkUnique(w, s, n, uniques);
  }
}

/**
 * The early leafref values an entry's walk collected (from `refs` on): the
 * key index takes them all, to match when the list ends; otherwise a value
 * already among the keys seen is a target whatever follows (the set only
 * grows; validate/early.ts still requires it to be exact) and the others
 * wait for the whole list.
 */
function settleLeafrefs(w: Walk, refs: number, run: ListRun): void {
  const { seen, keyIndex, pending } = run;
  for (let i = refs; i < w.leafrefCount; i++) {
    const v = w.leafrefValues[i]!;
    if (keyIndex !== undefined) keyIndex.addRef(v);
    else if (seen === undefined || !seen.has(v)) pending.push(v);
  }
  w.leafrefCount = refs;
}

/** RFC 7950 §7.8.3: entries where all `unique` leaves exist must differ in them. */
function checkUnique(w: Walk, s: SchemaNode, n: DataNode, maps: Map<string, DataNode>[]): void {
  s.unique!.forEach((tuple, i) => {
    let id = '';
    for (const path of tuple) {
      let cur: DataNode | undefined = n;
      for (const step of path) cur = cur === undefined ? undefined : childrenOf(cur).find((c) => c.name === step);
      if (cur?.value === undefined || cur.implicit === true) return;
      id += `${cur.value}\u0000`;
    }
    const prev = maps[i]!.get(id);
    // named at the earlier entry, as yanglint does
    if (prev !== undefined)
      issue(
        w,
        'unique',
        pathOf(prev),
        `Unique data leaf(s) "${tuple.map((p) => p.join('/')).join(' ')}" not satisfied in "${pathOf(n)}" and "${pathOf(prev)}"`,
      );
    else maps[i]!.set(id, n);
  });
}

function hasKeyLeaf(n: DataNode, key: SchemaNode): boolean {
  const built = n.children;
  for (let i = 0; i < built.length; i++) {
    const c = built[i]!;
    if (c.name === key.name) return c.module === key.module && c.value !== undefined;
  }
  return false;
}

/** The same list twice under one parent (`module:name` and `name` members) leaves no exact set. */
function recordKeys(w: Walk, parent: DataNode, k: KeySet): void {
  let at = w.keySets.get(parent);
  if (at === undefined) {
    at = [];
    w.keySets.set(parent, at);
  }
  const prev = at.find((x) => x.list === k.list);
  if (prev !== undefined) prev.exact = false;
  else at.push(k);
}

function keyValue(n: DataNode, key: string): string {
  const built = n.children;
  for (let i = 0; i < built.length; i++) if (built[i]!.name === key) return built[i]!.value ?? '';
  return '';
}
