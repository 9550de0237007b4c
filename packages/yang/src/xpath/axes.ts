import type { Step } from './ast.ts';
import { type DNode, kids, rootOf } from './dnode.ts';

/** The nodes on an XPath axis from `n` (§2.2), in axis order. */
export function axis(n: DNode, a: Step['axis']): DNode[] {
  switch (a) {
    case 'child':
      return kids(n);
    case 'self':
      return [n];
    case 'parent':
      return n.parent === undefined ? [] : [n.parent];
    case 'ancestor':
    case 'ancestor-or-self': {
      const out: DNode[] = a === 'ancestor' ? [] : [n];
      for (let p = n.parent; p !== undefined; p = p.parent) out.push(p);
      return out;
    }
    case 'descendant':
    case 'descendant-or-self': {
      const out: DNode[] = a === 'descendant' ? [] : [n];
      const walk = (x: DNode): void => {
        for (const c of kids(x)) {
          out.push(c);
          walk(c);
        }
      };
      walk(n);
      return out;
    }
    case 'following-sibling':
    case 'preceding-sibling': {
      const sib = n.parent === undefined ? [] : kids(n.parent);
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
