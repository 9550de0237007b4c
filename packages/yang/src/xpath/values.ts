import { type DataNode, stringValue } from './data-node.ts';

/** An XPath 1.0 value. */
export type XPathValue = DataNode[] | string | number | boolean;

/** XPath `boolean()` of the result (§4.3). */
export function toBoolean(value: XPathValue): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  return value.length > 0;
}

/** XPath `string()` (§4.2). */
export function toText(value: XPathValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return numberToString(value);
  return value.length === 0 ? '' : stringValue(value[0]!);
}

/** XPath `number()` (§4.4). */
export function toNumber(value: XPathValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const text = (typeof value === 'string' ? value : toText(value)).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

function numberToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Number.isInteger(value)) return value.toFixed(0).replace(/^-0$/, '0');
  return String(value).includes('e') ? value.toFixed(20).replace(/0+$/, '') : String(value);
}

/** §3.4 comparisons, including the node-set existential rules. */
export function compare(operator: string, left: XPathValue, right: XPathValue): boolean {
  if (Array.isArray(left) && Array.isArray(right)) {
    const rightTexts = right.map(stringValue);
    return left.some((node) => {
      const leftText = stringValue(node);
      return rightTexts.some((rightText) => compareScalars(operator, leftText, rightText));
    });
  }
  if (typeof left === 'boolean' || typeof right === 'boolean')
    return compareScalars(operator, toBoolean(left), toBoolean(right));
  if (Array.isArray(left)) {
    const scalar = right as Scalar;
    return left.some((node) => compareScalars(operator, convert(stringValue(node), scalar), scalar));
  }
  if (Array.isArray(right))
    return right.some((node) => compareScalars(operator, left, convert(stringValue(node), left)));
  return compareScalars(operator, left, right);
}

type Scalar = Exclude<XPathValue, DataNode[]>;

/** A node's string-value converted for comparison with `other` (§3.4). */
export function convert(text: string, other: Scalar): Scalar {
  if (typeof other === 'number') return toNumber(text);
  if (typeof other === 'boolean') return text.length > 0;
  return text;
}

/** §3.4 comparison of two values that are not node-sets. */
export function compareScalars(
  operator: string,
  left: Exclude<XPathValue, DataNode[]>,
  right: Exclude<XPathValue, DataNode[]>,
): boolean {
  if (operator === '=' || operator === '!=') {
    let equal: boolean;
    if (typeof left === 'boolean' || typeof right === 'boolean') equal = toBoolean(left) === toBoolean(right);
    else if (typeof left === 'number' || typeof right === 'number') equal = toNumber(left) === toNumber(right);
    else equal = left === right;
    return operator === '=' ? equal : !equal;
  }
  const leftNumber = toNumber(left);
  const rightNumber = toNumber(right);
  if (operator === '<') return leftNumber < rightNumber;
  if (operator === '<=') return leftNumber <= rightNumber;
  if (operator === '>') return leftNumber > rightNumber;
  return leftNumber >= rightNumber;
}
