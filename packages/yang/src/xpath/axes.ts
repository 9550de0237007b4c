import type { Step } from './ast.ts';
import { childrenOf, type DataNode, rootOf } from './data-node.ts';

/** The nodes on an XPath axis from `n` (§2.2), in axis order. */
export function axis(n: DataNode, a: Step['axis']): DataNode[] {
  switch (a) {
    case 'child':
      return childrenOf(n);
    case 'self':
      return [n];
    case 'parent':
      return n.parent === undefined ? [] : [n.parent];
    case 'ancestor':
    case 'ancestor-or-self': {
      const out: DataNode[] = a === 'ancestor' ? [] : [n];
      for (let p = n.parent; p !== undefined; p = p.parent) out.push(p);
      return out;
    }
    case 'descendant':
    case 'descendant-or-self': {
      const out: DataNode[] = a === 'descendant' ? [] : [n];
      const walk = (x: DataNode): void => {
        for (const c of childrenOf(x)) {
          out.push(c);
          walk(c);
        }
      };
      walk(n);
      return out;
    }
    case 'following-sibling':
    case 'preceding-sibling': {
      const sib = n.parent === undefined ? [] : childrenOf(n.parent);
      const i = sib.indexOf(n);
      return a === 'following-sibling' ? sib.slice(i + 1) : sib.slice(0, i).reverse();
    }
    case 'following':
    case 'preceding': {
      const all = axis(rootOf(n), 'descendant');
      const i = all.indexOf(n);
      const mine = new Set(axis(n, 'descendant'));
      const anc = new Set(axis(n, 'ancestor'));
      return a === 'following'
        ? all.slice(i + 1).filter((x) => !mine.has(x))
        : all
            .slice(0, i)
            .filter((x) => !anc.has(x))
            .reverse();
    }
    default:
      return [];
  }
}
