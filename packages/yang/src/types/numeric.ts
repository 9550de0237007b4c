import type { TypeSpec } from '../schema.ts';
import { failure, type ValueCheck } from './failure.ts';
import { INTEGER_LIMITS } from './limits.ts';

// Integer and decimal64 checks (RFC 7950 §9.2, §9.3; RFC 7951 §6.1).
const INT_STRING = /^[+-]?\d+$/;

export function numberCheck(type: TypeSpec): ValueCheck {
  const ranges = (type.range ?? [INTEGER_LIMITS[type.base]!.map(String) as [string, string]]).map(
    ([min, max]) => [Number(min), Number(max)] as const,
  );
  const expected = `${type.base} in ${type.rangeText ?? `${ranges[0]![0]}..${ranges[0]![1]}`}`;
  const one = ranges.length === 1 ? ranges[0]! : undefined;
  return (value, canonical = true) => {
    if (typeof value !== 'number' || !Number.isInteger(value))
      return failure('type', `a JSON number (RFC 7951 §6.1 ${type.base})`);
    if (one !== undefined ? value < one[0] || value > one[1] : !inRanges(ranges, value))
      return failure(type.range === undefined ? 'type' : 'range', expected);
    return canonical ? String(value) : '';
  };
}

// Values of up to 15 digits are exact as doubles; comparing them to (possibly
// rounded) bounds beyond 2^53 stays exact, so the common case avoids BigInt.
// Read digit by digit, not with a regex test and Number(): this runs for every
// 64-bit value of every list entry (docs/decisions/yang-003-fast-paths.md).
/** The value of `[+-]?[0-9]{1,15}`, exact as a double; NaN for any other string. */
export function shortInteger(text: string): number {
  const length = text.length;
  const first = text.charCodeAt(0);
  let position = first === 45 || first === 43 ? 1 : 0;
  if (length - position < 1 || length - position > 15) return NaN;
  let value = 0;
  for (; position < length; position++) {
    const digit = text.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return first === 45 ? -value : value;
}

export function bigCheck(type: TypeSpec): ValueCheck {
  const ranges = (type.range ?? [INTEGER_LIMITS[type.base]!.map(String) as [string, string]]).map(
    ([min, max]) => [BigInt(min), BigInt(max)] as const,
  );
  const numberRanges = ranges.map(([min, max]) => [Number(min), Number(max)] as const);
  const expected = `${type.base} in ${type.rangeText ?? `${ranges[0]![0]}..${ranges[0]![1]}`}`;
  const kind = type.range === undefined ? 'type' : 'range';
  return (value, canonical = true) => {
    if (typeof value !== 'string')
      return failure('type', `a JSON string holding a decimal integer (RFC 7951 §6.1 ${type.base})`);
    const short = shortInteger(value);
    if (!Number.isNaN(short)) {
      if (inRanges(numberRanges, short)) return canonical ? String(short) : '';
      return failure(kind, expected);
    }
    if (!INT_STRING.test(value))
      return failure('type', `a JSON string holding a decimal integer (RFC 7951 §6.1 ${type.base})`);
    const big = BigInt(value);
    if (!ranges.some(([min, max]) => big >= min && big <= max)) return failure(kind, expected);
    return String(big);
  };
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
// already canonical: no sign but "-", no leading zeros, one fraction digit at least, no trailing zeros (and not -0.0)
const CANONICAL_DECIMAL = /^(?:-(?!0\.0$))?(?:0|[1-9]\d*)\.(?:0|\d*[1-9])$/;

export function decimalCheck(type: TypeSpec): ValueCheck {
  const fractionDigits = type.fractionDigits ?? 1;
  const ranges = (type.range ?? [INTEGER_LIMITS.decimal64!.map(String) as [string, string]]).map(
    ([min, max]) => [BigInt(min), BigInt(max)] as const,
  );
  const numberRanges = ranges.map(([min, max]) => [Number(min), Number(max)] as const);
  const kind = type.range === undefined ? 'type' : 'range';
  const expected = `decimal64 in ${type.rangeText ?? 'the decimal64 range'}`;
  return (value, canonical = true) => {
    if (typeof value !== 'string') return failure('type', `a JSON string holding a decimal64 (RFC 7951 §6.1)`);
    // one pass: digits, fraction length and the scaled value while it stays exact as a double
    const length = value.length;
    let position = value.charCodeAt(0) === 45 || value.charCodeAt(0) === 43 ? 1 : 0;
    const negative = value.charCodeAt(0) === 45;
    let integerLength = 0;
    let fractionLength = -1;
    let scaled = 0;
    for (; position < length; position++) {
      const code = value.charCodeAt(position);
      if (code === 46 && fractionLength < 0 && integerLength > 0) fractionLength = 0;
      else if (code >= 48 && code <= 57) {
        scaled = scaled * 10 + (code - 48);
        if (fractionLength < 0) integerLength++;
        else fractionLength++;
      } else return failure('type', `a decimal with at most ${fractionDigits} fraction digits`);
    }
    if (integerLength === 0 || fractionLength === 0 || fractionLength > fractionDigits)
      return failure('type', `a decimal with at most ${fractionDigits} fraction digits`);
    const fractionUsed = Math.max(fractionLength, 0);
    let inRange: boolean;
    if (integerLength + fractionDigits <= 15) {
      const exact = scaled * 10 ** (fractionDigits - fractionUsed);
      inRange = inRanges(numberRanges, negative ? -exact : exact);
    } else {
      const match = DECIMAL.exec(value)!;
      const digits = match[2]! + (match[3] ?? '').padEnd(fractionDigits, '0');
      const big = negative ? -BigInt(digits) : BigInt(digits);
      inRange = ranges.some(([min, max]) => big >= min && big <= max);
    }
    if (!inRange) return failure(kind, expected);
    if (!canonical) return '';
    if (CANONICAL_DECIMAL.test(value)) return value;
    // RFC 7950 §9.3.2 canonical form: no leading zeros, trailing zeros dropped, at least one fraction digit
    const match = DECIMAL.exec(value)!;
    const integerPart = match[2]!.replace(/^0+(?=\d)/, '');
    const fractionPart = (match[3] ?? '').replace(/0+$/, '');
    const zero = /^0+$/.test(integerPart + fractionPart);
    return `${negative && !zero ? '-' : ''}${integerPart}.${fractionPart === '' ? '0' : fractionPart}`;
  };
}

export function inRanges(ranges: readonly (readonly [number, number])[], value: number): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    if (value >= range[0] && value <= range[1]) return true;
  }
  return false;
}
