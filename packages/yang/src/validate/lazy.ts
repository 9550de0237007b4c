import { type DataNode, detachedNode, type Lazy, leafNode, positionedNode } from '../xpath/data-node.ts';
import type { RuntimeNode } from './runtime-node.ts';
import { walkMembers } from './tree.ts';
import { hasMember, isObject, newWalk } from './walk.ts';

/**
 * The completion of an inner node the walk left partly unbuilt: plain leaves
 * it only checked (`RuntimeNode.lazyLeaf`) and list entries no later check referred
 * to (validate/lists.ts). It yields the same children, in the same order, as
 * building everything during the walk: members the walk skipped (unknown
 * names, state data in configuration) are skipped again, a leaf whose value
 * failed its type is not data, and an entry is rebuilt by walking it again
 * (issues discarded: the run reported them). The nodes the walk did keep sit
 * in `dataNode.children` in member order with added defaults last, and are reused,
 * so nodes that checks hold keep their identity.
 */
export function lazyFor(node: RuntimeNode, config: boolean): Lazy {
  return { expand: (dataNode) => expand(node, config, dataNode) };
}

function expand(node: RuntimeNode, config: boolean, dataNode: DataNode): DataNode[] {
  const object = dataNode.source as Record<string, unknown>;
  const built = dataNode.children;
  const out: DataNode[] = [];
  let next = 0;
  for (const key in object) {
    const child = node.members.get(key);
    if (child === undefined || (config && !child.schema.config)) continue;
    if (child.lazyLeaf) {
      const canonical = child.check!(object[key], true);
      if (typeof canonical === 'string') out.push(leafNode(dataNode, child.schema, canonical));
    } else if (child.schema.kind === 'list') {
      const entries = object[key];
      if (!Array.isArray(entries)) continue;
      for (let index = 0; index < entries.length; index++) {
        const entry: unknown = entries[index];
        const kept = built[next];
        if (kept !== undefined && kept.schema === child.schema && kept.source === entry && kept.implicit !== true) {
          out.push(kept);
          next++;
        } else {
          const rebuilt = rebuildEntry(child, config, dataNode, entry, index + 1);
          if (rebuilt !== undefined) out.push(rebuilt);
        }
      }
    } else {
      while (next < built.length && built[next]!.schema === child.schema && built[next]!.implicit !== true)
        out.push(built[next++]!);
    }
  }
  while (next < built.length) out.push(built[next++]!);
  return out;
}

/** A list entry as the walk builds it (validate/lists.ts): objects with every key; others never joined the tree. */
function rebuildEntry(
  node: RuntimeNode,
  config: boolean,
  parent: DataNode,
  entry: unknown,
  position: number,
): DataNode | undefined {
  if (!isObject(entry)) return undefined;
  const keys = node.schema.keys ?? [];
  for (const key of keys) if (!hasMember(entry, node.members.get(key)!)) return undefined;
  const dataNode =
    keys.length === 0
      ? positionedNode(parent, node.schema, position, true)
      : detachedNode(parent, node.schema, node.schema.name, node.schema.module);
  walkMembers(newWalk(config ? 'config' : 'data', true, true, 0), node, entry, dataNode);
  return dataNode;
}
