import { type DataNode, stringValue } from './data-node.ts';

/** An XPath 1.0 value. */
export type XPathValue = DataNode[] | string | number | boolean;

/** XPath `boolean()` of the result (§4.3). */
export function toBoolean(v: XPathValue): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v.length > 0;
}

/** XPath `string()` (§4.2). */
export function toText(v: XPathValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return numberToString(v);
  return v.length === 0 ? '' : stringValue(v[0]!);
}

/** XPath `number()` (§4.4). */
export function toNumber(v: XPathValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = (typeof v === 'string' ? v : toText(v)).trim();
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
export function compare(op: string, a: XPathValue, b: XPathValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const bs = b.map(stringValue);
    return a.some((x) => {
      const s = stringValue(x);
      return bs.some((y) => compareScalars(op, s, y));
    });
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return compareScalars(op, toBoolean(a), toBoolean(b));
  if (Array.isArray(a)) {
    const bb = b as Scalar;
    return a.some((x) => compareScalars(op, convert(stringValue(x), bb), bb));
  }
  if (Array.isArray(b)) return b.some((y) => compareScalars(op, a, convert(stringValue(y), a)));
  return compareScalars(op, a, b);
}

type Scalar = Exclude<XPathValue, DataNode[]>;

/** A node's string-value converted for comparison with `other` (§3.4). */
export function convert(s: string, other: Scalar): Scalar {
  if (typeof other === 'number') return toNumber(s);
  if (typeof other === 'boolean') return s.length > 0;
  return s;
}

/** §3.4 comparison of two values that are not node-sets. */
export function compareScalars(
  op: string,
  a: Exclude<XPathValue, DataNode[]>,
  b: Exclude<XPathValue, DataNode[]>,
): boolean {
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBoolean(a) === toBoolean(b);
    else if (typeof a === 'number' || typeof b === 'number') eq = toNumber(a) === toNumber(b);
    else eq = a === b;
    return op === '=' ? eq : !eq;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}
