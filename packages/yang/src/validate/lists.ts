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
import type { RuntimeNode } from './runtime-node.ts';
import { walkMembers } from './tree.ts';
import { defer, hasMember, isObject, issue, type KeySet, typeIssue, type Walk } from './walk.ts';

// Lists and leaf-lists: keys, duplicates, unique, min/max-elements (RFC 7950 §7.7, §7.8).

export function walkLeafList(walk: Walk, node: RuntimeNode, value: unknown, parent: DataNode): void {
  const schema = node.schema;
  const path = childPath(parent, schema.module, schema.name);
  if (!Array.isArray(value)) {
    issue(walk, 'type', pathOf(parent), `Leaf-list "${schema.name}" must be a JSON array`, {
      expected: 'array',
      received: value,
    });
    return;
  }
  const seen = schema.config ? new Set<string>() : undefined;
  const wantCanonical = walk.tree || schema.config;
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    const canonical = node.check!(item, wantCanonical);
    if (typeof canonical !== 'string') {
      typeIssue(walk, path, canonical, item);
      continue;
    }
    if (seen !== undefined) {
      if (seen.has(canonical))
        issue(
          walk,
          'duplicate',
          `${path}[.=${canonical.includes("'") ? `"${canonical}"` : `'${canonical}'`}]`,
          `Duplicate instance of "${schema.name}"`,
        );
      seen.add(canonical);
    }
    if (walk.tree) {
      // values repeat outside configuration, so there an entry is named by its position (RFC 7950 §9.13)
      const dataNode =
        seen === undefined
          ? positionedLeaf(parent, schema, canonical, index + 1)
          : addNode(parent, schema, schema.name, schema.module, canonical);
      if (node.ownXPath) defer(walk, node, dataNode, item);
    }
  }
  elements(walk, schema, value.length, path, () => {
    if (!schema.config) return `${path}[${schema.maxElements! + 1}]`;
    const canonical = node.check!(value[schema.maxElements!], true);
    return typeof canonical === 'string'
      ? `${path}[.=${canonical.includes("'") ? `"${canonical}"` : `'${canonical}'`}]`
      : path;
  });
}

/** min/max-elements; a max violation is named at the first instance too many, as yanglint does. */
function elements(walk: Walk, schema: SchemaNode, count: number, path: string, extra: () => string): void {
  if (schema.minElements !== undefined && count < schema.minElements)
    issue(
      walk,
      'min-elements',
      path,
      `Too few "${schema.name}" instances: at least ${schema.minElements} required, got ${count}`,
    );
  if (schema.maxElements !== undefined && count > schema.maxElements)
    issue(
      walk,
      'max-elements',
      extra(),
      `Too many "${schema.name}" instances: at most ${schema.maxElements} allowed, got ${count}`,
    );
}

export function walkList(walk: Walk, node: RuntimeNode, value: unknown, parent: DataNode): void {
  const schema = node.schema;
  const path = childPath(parent, schema.module, schema.name);
  if (!Array.isArray(value)) {
    issue(walk, 'type', pathOf(parent), `List "${schema.name}" must be a JSON array`, {
      expected: 'array',
      received: value,
    });
    return;
  }
  const keys = schema.keys ?? [];
  const keyNodes = keys.map((key) => node.members.get(key)!);
  // keys identify an entry in state data and operations too (RFC 7950 §7.8.2), so they are unique everywhere
  const checked = keys.length > 0;
  // on the fast path a large list's single key goes to an index decided when the list ends (validate/key-index.ts):
  // a repeated key or a missing early leafref there sends the run to the generic path, which reports it in order.
  // A small list's Set stays in cache, and costs one allocation where the index costs several.
  const keyIndex =
    checked && walk.fastPaths && keys.length === 1 && value.length >= KEY_INDEX_MIN
      ? new KeyIndex(value.length, node.earlyLeafrefs.length > 0 ? value.length : 0)
      : undefined;
  const seen = checked && keyIndex === undefined ? new Set<string>() : undefined;
  // a large list's key values double as the target set of leafrefs to its key (constraints.ts)
  const keyNode =
    checked && keys.length === 1 && walk.tree && (value.length >= 32 || node.earlyLeafrefs.length > 0)
      ? keyNodes[0]
      : undefined;
  // early leafref values (validate/early.ts) not among the keys seen so far land in `pending`
  const run: ListRun = {
    keys,
    keyNodes,
    seen,
    keyIndex,
    uniques: schema.unique?.map(() => new Map<string, DataNode>()),
    keyNode,
    exact: true,
    extra: undefined,
    pending: [],
  };
  walkEntries(walk, node, value, parent, run);
  const { exact, extra, pending } = run;
  if (keyIndex !== undefined && !keyIndex.settle()) walk.fallback = true;
  if (keyNode !== undefined)
    recordKeys(walk, parent, { list: schema, key: keyNode.schema, values: keyIndex ?? seen!, exact });
  if (node.earlyLeafrefs.length > 0) {
    // without a key set the early leafrefs cannot be decided here
    if (keyNode === undefined && pending.length > 0) walk.fallback = true;
    else if (keyNode !== undefined) walk.pending.push({ parent, list: node, values: pending });
  }
  elements(walk, schema, value.length, path, () => (extra === undefined ? path : pathOf(extra)));
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
// replacement, and code after the loop in that compilation has no type
// feedback yet, so it would leave optimized code at the loop's end on every
// run (docs/decisions/yang-003-fast-paths.md).
function walkEntries(walk: Walk, node: RuntimeNode, entries: readonly unknown[], parent: DataNode, run: ListRun): void {
  const schema = node.schema;
  const { keys, keyNodes, seen, keyIndex, uniques, keyNode } = run;
  for (let index = 0; index < entries.length; index++) {
    const entry: unknown = entries[index];
    if (!isObject(entry)) {
      issue(walk, 'type', pathOf(parent), `Each "${schema.name}" list entry must be a JSON object`, {
        expected: 'object',
        received: entry,
      });
      continue;
    }
    let missingKey: RuntimeNode | undefined;
    for (let i = 0; i < keyNodes.length; i++) {
      const keyLeaf = keyNodes[i]!;
      if (!hasMember(entry, keyLeaf)) {
        missingKey = keyLeaf;
        break;
      }
    }
    const leafrefStart = walk.leafrefCount;
    if (missingKey !== undefined) {
      // like libyang, still validate the entry's members, then report the key
      const loose = detachedNode(parent, schema, schema.name, schema.module);
      walkMembers(walk, node, entry, loose);
      settleLeafrefs(walk, leafrefStart, run);
      issue(walk, 'missing-key', pathOf(loose), `List instance is missing its key "${missingKey.schema.name}"`);
      continue;
    }
    const before = walk.deferred.length + walk.guarded.length + walk.implicitWhen.length;
    const dataNode =
      keys.length === 0
        ? positionedNode(parent, schema, index + 1, walk.fastPaths)
        : walk.fastPaths
          ? detachedNode(parent, schema, schema.name, schema.module)
          : addNode(parent, schema, schema.name, schema.module);
    walkMembers(walk, node, entry, dataNode);
    if (index === schema.maxElements) run.extra = dataNode;
    if (node.ownXPath) walk.deferred.push(dataNode);
    // an entry no later check refers to stays out of the tree: the parent rebuilds it if XPath walks there (validate/lazy.ts)
    if (walk.fastPaths && walk.tree && walk.deferred.length + walk.guarded.length + walk.implicitWhen.length > before)
      parent.children.push(dataNode);
    // keyNode is set only where the keys are checked (by the index or the Set)
    if (keyNode !== undefined && run.exact && !hasKeyLeaf(dataNode, keyNode.schema)) run.exact = false;
    if (keyIndex !== undefined) keyIndex.addKey(keyValue(dataNode, keys[0]!));
    else if (seen !== undefined) {
      const keyText =
        keys.length === 1 ? keyValue(dataNode, keys[0]!) : keys.map((key) => keyValue(dataNode, key)).join('\u0000');
      // one hash lookup per entry: a large list's set does not fit in cache
      const size = seen.size;
      if (seen.add(keyText).size === size)
        issue(walk, 'duplicate', pathOf(dataNode), `Duplicate instance of "${schema.name}"`);
    }
    settleLeafrefs(walk, leafrefStart, run);
    if (uniques !== undefined) checkUnique(walk, schema, dataNode, uniques);
  }
}

/**
 * The early leafref values an entry's walk collected (from `refs` on): the
 * key index takes them all, to match when the list ends; otherwise a value
 * already among the keys seen is a target whatever follows (the set only
 * grows; validate/early.ts still requires it to be exact) and the others
 * wait for the whole list.
 */
function settleLeafrefs(walk: Walk, start: number, run: ListRun): void {
  const { seen, keyIndex, pending } = run;
  for (let i = start; i < walk.leafrefCount; i++) {
    const value = walk.leafrefValues[i]!;
    if (keyIndex !== undefined) keyIndex.addReference(value);
    else if (seen === undefined || !seen.has(value)) pending.push(value);
  }
  walk.leafrefCount = start;
}

/** RFC 7950 §7.8.3: entries where all `unique` leaves exist must differ in them. */
function checkUnique(walk: Walk, schema: SchemaNode, dataNode: DataNode, maps: Map<string, DataNode>[]): void {
  schema.unique!.forEach((tuple, index) => {
    let combined = '';
    for (const path of tuple) {
      let descendant: DataNode | undefined = dataNode;
      for (const step of path)
        descendant = descendant === undefined ? undefined : childrenOf(descendant).find((child) => child.name === step);
      if (descendant?.value === undefined || descendant.implicit === true) return;
      combined += `${descendant.value}\u0000`;
    }
    const previous = maps[index]!.get(combined);
    // named at the earlier entry, as yanglint does
    if (previous !== undefined)
      issue(
        walk,
        'unique',
        pathOf(previous),
        `Unique data leaf(s) "${tuple.map((path) => path.join('/')).join(' ')}" not satisfied in "${pathOf(dataNode)}" and "${pathOf(previous)}"`,
      );
    else maps[index]!.set(combined, dataNode);
  });
}

function hasKeyLeaf(dataNode: DataNode, key: SchemaNode): boolean {
  const built = dataNode.children;
  for (let i = 0; i < built.length; i++) {
    const child = built[i]!;
    if (child.name === key.name) return child.module === key.module && child.value !== undefined;
  }
  return false;
}

/** The same list twice under one parent (`module:name` and `name` members) leaves no exact set. */
function recordKeys(walk: Walk, parent: DataNode, keySet: KeySet): void {
  let recorded = walk.keySets.get(parent);
  if (recorded === undefined) {
    recorded = [];
    walk.keySets.set(parent, recorded);
  }
  const previous = recorded.find((other) => other.list === keySet.list);
  if (previous !== undefined) previous.exact = false;
  else recorded.push(keySet);
}

function keyValue(dataNode: DataNode, key: string): string {
  const built = dataNode.children;
  for (let i = 0; i < built.length; i++) if (built[i]!.name === key) return built[i]!.value ?? '';
  return '';
}
