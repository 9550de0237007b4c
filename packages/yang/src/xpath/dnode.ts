import type { SchemaNode } from '../schema.ts';

/**
 * A node of the instance-data tree XPath runs on. Leaves and leaf-list
 * entries carry their value as its canonical string (identityref as
 * `module:identity`), which is the XPath string-value.
 */
export interface DNode {
  readonly name: string;
  readonly module: string;
  readonly parent: DNode | undefined;
  readonly schema: SchemaNode | undefined;
  readonly value: string | undefined;
  /** Swapped once for an exact-size list when the walk completes the node (validate/tree.ts). */
  children: DNode[];
  /** Lazily built: children by `module:name` (present on inner nodes only). */
  byName?: Map<string, DNode[]> | undefined;
  /** Lazily built: `child|leaf` → value → entries, for key predicates. */
  keyIndex?: Map<string, Map<string, DNode[]>> | undefined;
  /** Set on a default value the validator added, not instance data; absent otherwise. */
  readonly implicit?: true;
}

// Leaves never get children: they share one frozen empty list (fewer allocations per document).
const NO_CHILDREN: DNode[] = Object.freeze([]) as unknown as DNode[];

/**
 * Makes a data node and appends it to its parent's children. Leaves (5 of
 * 6 nodes in a typical list) carry only the six fields they use: at 100k
 * entries the tree no longer fits in cache and its size sets the speed.
 */
export function dnode(parent: DNode | undefined, schema: SchemaNode | undefined, name: string, module: string, value?: string, implicit?: boolean): DNode {
  const n: DNode =
    value === undefined
      ? { name, module, parent, schema, value, children: [], byName: undefined, keyIndex: undefined }
      : implicit === true
        ? { name, module, parent, schema, value, children: NO_CHILDREN, implicit: true }
        : { name, module, parent, schema, value, children: NO_CHILDREN };
  if (parent !== undefined) parent.children.push(n);
  return n;
}

/** A node that knows its parent but is not among its children (an entry rejected before it joins the tree). */
export function detachedNode(parent: DNode, schema: SchemaNode, name: string, module: string): DNode {
  return { name, module, parent, schema, value: undefined, children: [], byName: undefined, keyIndex: undefined };
}

/** Children named `module:name`, through a per-node index built on first use. */
export function childrenNamed(n: DNode, module: string, name: string): readonly DNode[] {
  if (n.children.length < 8) return n.children.filter((c) => c.name === name && c.module === module);
  let idx = n.byName;
  if (idx === undefined) {
    idx = new Map();
    for (const c of n.children) {
      const k = `${c.module}:${c.name}`;
      const list = idx.get(k);
      if (list === undefined) idx.set(k, [c]);
      else list.push(c);
    }
    n.byName = idx;
  }
  return idx.get(`${module}:${name}`) ?? [];
}

/** XPath string-value (§5): a leaf's value, or the concatenated values below. */
export function stringValue(n: DNode): string {
  if (n.value !== undefined) return n.value;
  let s = '';
  for (const c of n.children) s += stringValue(c);
  return s;
}

/** The root of the tree a node belongs to. */
export function rootOf(n: DNode): DNode {
  let r = n;
  while (r.parent !== undefined) r = r.parent;
  return r;
}
