import { type DataNode, detachedNode, type Lazy, leafNode, positionedNode } from '../xpath/data-node.ts';
import type { RuntimeNode } from './runtime.ts';
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
 * in `n.children` in member order with added defaults last, and are reused,
 * so nodes that checks hold keep their identity.
 */
export function lazyFor(r: RuntimeNode, config: boolean): Lazy {
  return { expand: (n) => expand(r, config, n) };
}

function expand(r: RuntimeNode, config: boolean, n: DataNode): DataNode[] {
  const obj = n.source as Record<string, unknown>;
  const built = n.children;
  const out: DataNode[] = [];
  let i = 0;
  for (const key in obj) {
    const c = r.members.get(key);
    if (c === undefined || (config && !c.schema.config)) continue;
    if (c.lazyLeaf) {
      const v = c.check!(obj[key], true);
      if (typeof v === 'string') out.push(leafNode(n, c.schema, v));
    } else if (c.schema.kind === 'list') {
      const entries = obj[key];
      if (!Array.isArray(entries)) continue;
      for (let at = 0; at < entries.length; at++) {
        const entry: unknown = entries[at];
        const kept = built[i];
        if (kept !== undefined && kept.schema === c.schema && kept.source === entry && kept.implicit !== true) {
          out.push(kept);
          i++;
        } else {
          const e = rebuildEntry(c, config, n, entry, at + 1);
          if (e !== undefined) out.push(e);
        }
      }
    } else {
      while (i < built.length && built[i]!.schema === c.schema && built[i]!.implicit !== true) out.push(built[i++]!);
    }
  }
  while (i < built.length) out.push(built[i++]!);
  return out;
}

/** A list entry as the walk builds it (validate/lists.ts): objects with every key; others never joined the tree. */
function rebuildEntry(
  r: RuntimeNode,
  config: boolean,
  parent: DataNode,
  entry: unknown,
  position: number,
): DataNode | undefined {
  if (!isObject(entry)) return undefined;
  const keys = r.schema.keys ?? [];
  for (const k of keys) if (!hasMember(entry, r.members.get(k)!)) return undefined;
  const n =
    keys.length === 0
      ? positionedNode(parent, r.schema, position, true)
      : detachedNode(parent, r.schema, r.schema.name, r.schema.module);
  walkMembers(newWalk(config ? 'config' : 'data', true, true, 0), r, entry, n);
  return n;
}
