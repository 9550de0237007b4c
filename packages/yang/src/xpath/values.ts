import { type DNode, stringValue } from './dnode.ts';

/** An XPath 1.0 value. */
export type XValue = DNode[] | string | number | boolean;

/** XPath `boolean()` of the result (§4.3). */
export function toBoolean(v: XValue): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v.length > 0;
}

/** XPath `string()` (§4.2). */
export function toStr(v: XValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return numberToString(v);
  return v.length === 0 ? '' : stringValue(v[0]!);
}

/** XPath `number()` (§4.4). */
export function toNum(v: XValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = (typeof v === 'string' ? v : toStr(v)).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
}

function numberToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n)) return n.toFixed(0).replace(/^-0$/, '0');
  return String(n).includes('e') ? n.toFixed(20).replace(/0+$/, '') : String(n);
}

/** §3.4 comparisons, including the node-set existential rules. */
export function compare(op: string, a: XValue, b: XValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const bs = b.map(stringValue);
    return a.some((x) => {
      const s = stringValue(x);
      return bs.some((y) => atom(op, s, y));
    });
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return atom(op, toBoolean(a), toBoolean(b));
  if (Array.isArray(a)) {
    const bb = b as Scalar;
    return a.some((x) => atom(op, convert(stringValue(x), bb), bb));
  }
  if (Array.isArray(b)) return b.some((y) => atom(op, a, convert(stringValue(y), a)));
  return atom(op, a, b);
}

type Scalar = Exclude<XValue, DNode[]>;

/** A node's string-value converted for comparison with `other` (§3.4). */
export function convert(s: string, other: Scalar): Scalar {
  if (typeof other === 'number') return toNum(s);
  if (typeof other === 'boolean') return s.length > 0;
  return s;
}

/** §3.4 comparison of two values that are not node-sets. */
export function atom(op: string, a: Exclude<XValue, DNode[]>, b: Exclude<XValue, DNode[]>): boolean {
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBoolean(a) === toBoolean(b);
    else if (typeof a === 'number' || typeof b === 'number') eq = toNum(a) === toNum(b);
    else eq = a === b;
    return op === '=' ? eq : !eq;
  }
  const x = toNum(a);
  const y = toNum(b);
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}
