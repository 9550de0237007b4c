import type { SchemaNode } from '../schema.ts';

/**
 * A node of the instance-data tree XPath runs on. Leaves and leaf-list
 * entries carry their value as its canonical string (identityref as
 * `module:identity`), which is the XPath string-value.
 */
export interface DataNode {
  readonly name: string;
  readonly module: string;
  readonly parent: DataNode | undefined;
  readonly schema: SchemaNode | undefined;
  readonly value: string | undefined;
  /** Swapped once for an exact-size list when the walk completes the node (validate/tree.ts). */
  children: DataNode[];
  /** Lazily built: children by `module:name` (present on inner nodes only). */
  byName?: Map<string, DataNode[]> | undefined;
  /** Lazily built: `child|leaf` → value → entries, for key predicates. */
  keyIndex?: Map<string, Map<string, DataNode[]>> | undefined;
  /** Set on a default value the validator added, not instance data; absent otherwise. */
  readonly implicit?: true;
  /** Inner nodes: the JSON object they were walked from (their unbuilt children are read from it, see {@link Lazy}). */
  source?: object | undefined;
  /** Inner nodes: set while `children` holds only the nodes the walk had to build; {@link childrenOf} completes them. */
  lazy?: Lazy | undefined;
  /** An entry of a list without keys, or of a leaf-list outside configuration: its 1-based position among the entries, which names it in paths (RFC 7950 §9.13). */
  readonly position?: number;
}

/**
 * How an inner node builds its remaining children on first navigation. The
 * walk makes data nodes only for what it must keep (list keys, nodes with
 * their own XPath rules, inner nodes, defaults); plain leaves become nodes
 * only when an XPath expression walks into their parent, so a document whose
 * rules never do (or whose rules compile to direct reads) keeps no per-leaf
 * objects: for large lists the retained tree's size sets the speed
 * (docs/decisions/yang-003-fast-paths.md).
 */
export interface Lazy {
  /** All children of `node` in document order, reusing the ones in `node.children`. */
  readonly expand: (node: DataNode) => DataNode[];
}

// Leaves never get children: they share one frozen empty list (fewer allocations per document).
const NO_CHILDREN: DataNode[] = Object.freeze([]) as unknown as DataNode[];

/**
 * Makes a data node and appends it to its parent's children. Leaves, most
 * of a list's nodes, carry only the six fields they use: a large tree does
 * not fit in cache, and its size sets the speed
 * (docs/decisions/yang-002-compiled-validator.md).
 */
export function addNode(
  parent: DataNode | undefined,
  schema: SchemaNode | undefined,
  name: string,
  module: string,
  value?: string,
  implicit?: boolean,
): DataNode {
  const node: DataNode =
    value === undefined
      ? {
          name,
          module,
          parent,
          schema,
          value,
          children: [],
          byName: undefined,
          keyIndex: undefined,
          source: undefined,
          lazy: undefined,
        }
      : implicit === true
        ? { name, module, parent, schema, value, children: NO_CHILDREN, implicit: true }
        : { name, module, parent, schema, value, children: NO_CHILDREN };
  if (parent !== undefined) parent.children.push(node);
  return node;
}

/**
 * A node that knows its parent but is not among its children (an entry
 * rejected before it joins the tree, or one the walk decides on later). Its
 * children are set once, by the walk (validate/tree.ts), never pushed.
 */
export function detachedNode(parent: DataNode, schema: SchemaNode, name: string, module: string): DataNode {
  return {
    name,
    module,
    parent,
    schema,
    value: undefined,
    children: NO_CHILDREN,
    byName: undefined,
    keyIndex: undefined,
    source: undefined,
    lazy: undefined,
  };
}

/** An entry of a list without keys, knowing its position; appended to its parent unless `detached`. */
export function positionedNode(parent: DataNode, schema: SchemaNode, position: number, detached: boolean): DataNode {
  const node: DataNode = {
    name: schema.name,
    module: schema.module,
    parent,
    schema,
    value: undefined,
    children: detached ? NO_CHILDREN : [],
    byName: undefined,
    keyIndex: undefined,
    source: undefined,
    lazy: undefined,
    position,
  };
  if (!detached) parent.children.push(node);
  return node;
}

/** An entry of a leaf-list whose values may repeat (state data, operations), knowing its position; appended to its parent. */
export function positionedLeaf(parent: DataNode, schema: SchemaNode, value: string, position: number): DataNode {
  const node: DataNode = {
    name: schema.name,
    module: schema.module,
    parent,
    schema,
    value,
    children: NO_CHILDREN,
    position,
  };
  parent.children.push(node);
  return node;
}

/** A leaf node that is not appended to its parent (the caller places it). */
export function leafNode(parent: DataNode, schema: SchemaNode, value: string): DataNode {
  return { name: schema.name, module: schema.module, parent, schema, value, children: NO_CHILDREN };
}

/** The children of `node`, completed first if the walk left plain leaves unbuilt. */
export function childrenOf(node: DataNode): DataNode[] {
  const lazy = node.lazy;
  if (lazy !== undefined) {
    node.children = lazy.expand(node);
    node.lazy = undefined;
  }
  return node.children;
}

/** Children named `module:name`, through a per-node index built on first use. */
export function childrenNamed(node: DataNode, module: string, name: string): readonly DataNode[] {
  const all = childrenOf(node);
  if (all.length < 8) return all.filter((child) => child.name === name && child.module === module);
  let index = node.byName;
  if (index === undefined) {
    index = new Map();
    for (const child of all) {
      const key = `${child.module}:${child.name}`;
      const list = index.get(key);
      if (list === undefined) index.set(key, [child]);
      else list.push(child);
    }
    node.byName = index;
  }
  return index.get(`${module}:${name}`) ?? [];
}

/** XPath string-value (§5): a leaf's value, or the concatenated values below. */
export function stringValue(node: DataNode): string {
  if (node.value !== undefined) return node.value;
  let text = '';
  for (const child of childrenOf(node)) text += stringValue(child);
  return text;
}

/** The root of the tree a node belongs to. */
export function rootOf(node: DataNode): DataNode {
  let root = node;
  while (root.parent !== undefined) root = root.parent;
  return root;
}
