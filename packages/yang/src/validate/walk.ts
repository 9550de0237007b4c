import type { SchemaNode, TypeSpec } from '../schema.ts';
import type { DataNode } from '../xpath/data-node.ts';
import type { IssueKind, YangIssue } from './issue.ts';
import type { KeyValues } from './key-index.ts';
import type { RuntimeNode } from './runtime-node.ts';

/** Which document is validated: configuration only, or configuration and state. */
export type TreeMode = 'config' | 'data';

/** State of one validation run: the issues and the nodes whose XPath rules run after the tree is built. */
export interface Walk {
  readonly mode: TreeMode;
  readonly issues: YangIssue[];
  /** Data nodes with their own must, when, leafref or instance-identifier (their schema says which). */
  readonly deferred: DataNode[];
  /** Union values taken as a leafref or instance-identifier member, and that member. */
  readonly unionReferences: Map<DataNode, TypeSpec>;
  /** Missing mandatory nodes guarded by `when`: reported only if their condition holds on the finished tree. */
  readonly guarded: { node: RuntimeNode; parent: DataNode; path: string }[];
  /** Absent non-presence containers with `must`s whose own `when` decides whether they exist: built once it holds (validate/constraints.ts). */
  readonly implicitWhen: { node: RuntimeNode; parent: DataNode }[];
  /** Stop collecting after this many issues. */
  readonly limit: number;
  /** Build data nodes for every leaf (XPath needs them); otherwise only for list keys. */
  readonly tree: boolean;
  /** Key values of large single-key lists, by parent node: leafref targets reuse them instead of a second set. */
  readonly keySets: Map<DataNode, KeySet[]>;
  /** Per nesting depth, the reused list children are gathered in before an exact-size copy is kept. */
  readonly scratch: DataNode[][];
  depth: number;
  /** The runtime's fast paths are on: list entries stay out of the tree unless a later check needs them (validate/lazy.ts). */
  readonly fastPaths: boolean;
  /** Early leafref values of the entry being walked, `leafrefCount` of them (validate/lists.ts settles them per entry; a count, not the length, so the array keeps its storage). */
  readonly leafrefValues: string[];
  leafrefCount: number;
  /** Per list with early leafrefs: the values not found among the keys while walking, checked against its final key set. */
  readonly pending: { readonly parent: DataNode; readonly list: RuntimeNode; readonly values: readonly string[] }[];
  /** An early rule failed: the document is validated again the generic way, for the same issues in the same order. */
  fallback: boolean;
}

/** A fresh run state. */
export function newWalk(mode: TreeMode, tree: boolean, fastPaths: boolean, limit: number): Walk {
  return {
    mode,
    issues: [],
    deferred: [],
    unionReferences: new Map(),
    guarded: [],
    implicitWhen: [],
    limit,
    tree,
    keySets: new Map(),
    scratch: [],
    depth: 0,
    fastPaths,
    leafrefValues: [],
    leafrefCount: 0,
    pending: [],
    fallback: false,
  };
}

/** The key values of one list under one parent; `exact` when they are exactly its entries' key leaf values. */
export interface KeySet {
  readonly list: SchemaNode;
  readonly key: SchemaNode;
  readonly values: KeyValues;
  exact: boolean;
}

export function issue(
  walk: Walk,
  kind: IssueKind,
  path: string,
  message: string,
  extra: { expected?: string; received?: unknown; appTag?: string } = {},
): void {
  if (walk.issues.length < walk.limit) walk.issues.push({ kind, path: path === '' ? '/' : path, message, ...extra });
}

/** The member `node` is in `object`, under either JSON name (RFC 7951 §4: the module prefix is optional where the parent's module is the same). */
export function hasMember(object: Record<string, unknown>, node: RuntimeNode): boolean {
  return (
    object[node.jsonNames[0]!] !== undefined || (node.jsonNames.length > 1 && object[node.jsonNames[1]!] !== undefined)
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function defer(walk: Walk, node: RuntimeNode, dataNode: DataNode, value: unknown): void {
  walk.deferred.push(dataNode);
  const member = node.memberOf?.(value);
  if (member !== undefined) walk.unionReferences.set(dataNode, member);
}

export function typeIssue(
  walk: Walk,
  path: string,
  failure: { kind: IssueKind; expected: string; message?: string },
  value: unknown,
): void {
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  issue(walk, failure.kind, path, failure.message ?? `Invalid value ${shown}: expected ${failure.expected}`, {
    expected: failure.expected,
    received: value,
  });
}
