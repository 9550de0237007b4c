import type { SchemaNode, TypeSpec } from '../schema.ts';
import type { DataNode } from '../xpath/data-node.ts';
import type { IssueKind, YangIssue } from './issue.ts';
import type { KeyValues } from './key-index.ts';
import type { RuntimeNode } from './runtime.ts';

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
export function newWalk(mode: TreeMode, tree: boolean, fast: boolean, limit: number): Walk {
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
    fastPaths: fast,
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
  w: Walk,
  kind: IssueKind,
  path: string,
  message: string,
  extra: { expected?: string; received?: unknown; appTag?: string } = {},
): void {
  if (w.issues.length < w.limit) w.issues.push({ kind, path: path === '' ? '/' : path, message, ...extra });
}

/** The member of `r` is in `obj`, under either JSON name (RFC 7951 §4: the module prefix is optional where the parent's module is the same). */
export function hasMember(obj: Record<string, unknown>, r: RuntimeNode): boolean {
  return obj[r.jsonNames[0]!] !== undefined || (r.jsonNames.length > 1 && obj[r.jsonNames[1]!] !== undefined);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function defer(w: Walk, r: RuntimeNode, n: DataNode, v: unknown): void {
  w.deferred.push(n);
  const m = r.memberOf?.(v);
  if (m !== undefined) w.unionReferences.set(n, m);
}

export function typeIssue(
  w: Walk,
  path: string,
  f: { kind: IssueKind; expected: string; message?: string },
  v: unknown,
): void {
  const shown = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
  issue(w, f.kind, path, f.message ?? `Invalid value ${shown}: expected ${f.expected}`, {
    expected: f.expected,
    received: v,
  });
}
