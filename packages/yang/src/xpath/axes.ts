import type { Step } from './ast.ts';
import { childrenOf, type DataNode, rootOf } from './data-node.ts';

/** The nodes on an XPath axis from `node` (§2.2), in axis order. */
export function axis(node: DataNode, name: Step['axis']): DataNode[] {
  switch (name) {
    case 'child':
      return childrenOf(node);
    case 'self':
      return [node];
    case 'parent':
      return node.parent === undefined ? [] : [node.parent];
    case 'ancestor':
    case 'ancestor-or-self': {
      const out: DataNode[] = name === 'ancestor' ? [] : [node];
      for (let ancestor = node.parent; ancestor !== undefined; ancestor = ancestor.parent) out.push(ancestor);
      return out;
    }
    case 'descendant':
    case 'descendant-or-self': {
      const out: DataNode[] = name === 'descendant' ? [] : [node];
      const walk = (from: DataNode): void => {
        for (const child of childrenOf(from)) {
          out.push(child);
          walk(child);
        }
      };
      walk(node);
      return out;
    }
    case 'following-sibling':
    case 'preceding-sibling': {
      const siblings = node.parent === undefined ? [] : childrenOf(node.parent);
      const index = siblings.indexOf(node);
      return name === 'following-sibling' ? siblings.slice(index + 1) : siblings.slice(0, index).reverse();
    }
    case 'following':
    case 'preceding': {
      const all = axis(rootOf(node), 'descendant');
      const index = all.indexOf(node);
      const mine = new Set(axis(node, 'descendant'));
      const ancestors = new Set(axis(node, 'ancestor'));
      return name === 'following'
        ? all.slice(index + 1).filter((other) => !mine.has(other))
        : all
            .slice(0, index)
            .filter((other) => !ancestors.has(other))
            .reverse();
    }
    default:
      return [];
  }
}
