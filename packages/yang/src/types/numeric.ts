import type { TypeSpec } from '../schema.ts';
import { failure, type ValueCheck } from './failure.ts';
import { INTEGER_LIMITS } from './limits.ts';

// Integer and decimal64 checks (RFC 7950 §9.2, §9.3; RFC 7951 §6.1).
const INT_STRING = /^[+-]?\d+$/;

export function numberCheck(t: TypeSpec): ValueCheck {
  const ranges = (t.range ?? [INTEGER_LIMITS[t.base]!.map(String) as [string, string]]).map(
    ([a, b]) => [Number(a), Number(b)] as const,
  );
  const expected = `${t.base} in ${t.rangeText ?? `${ranges[0]![0]}..${ranges[0]![1]}`}`;
  const one = ranges.length === 1 ? ranges[0]! : undefined;
  return (v, canonical = true) => {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return failure('type', `a JSON number (RFC 7951 §6.1 ${t.base})`);
    if (one !== undefined ? v < one[0] || v > one[1] : !inRanges(ranges, v))
      return failure(t.range === undefined ? 'type' : 'range', expected);
    return canonical ? String(v) : '';
  };
}

// Values of up to 15 digits are exact as doubles; comparing them to (possibly
// rounded) bounds beyond 2^53 stays exact, so the common case avoids BigInt.
// Read digit by digit: a regex test plus Number() showed in profiles of
// lists with a uint64 leaf per entry (docs/decisions/yang-003-fast-paths.md).
/** The value of `[+-]?[0-9]{1,15}`, exact as a double; NaN for any other string. */
export function shortInteger(v: string): number {
  const len = v.length;
  const first = v.charCodeAt(0);
  let i = first === 45 || first === 43 ? 1 : 0;
  if (len - i < 1 || len - i > 15) return NaN;
  let n = 0;
  for (; i < len; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return first === 45 ? -n : n;
}

export function bigCheck(t: TypeSpec): ValueCheck {
  const ranges = (t.range ?? [INTEGER_LIMITS[t.base]!.map(String) as [string, string]]).map(
    ([a, b]) => [BigInt(a), BigInt(b)] as const,
  );
  const fast = ranges.map(([a, b]) => [Number(a), Number(b)] as const);
  const expected = `${t.base} in ${t.rangeText ?? `${ranges[0]![0]}..${ranges[0]![1]}`}`;
  const kind = t.range === undefined ? 'type' : 'range';
  return (v, canonical = true) => {
    if (typeof v !== 'string')
      return failure('type', `a JSON string holding a decimal integer (RFC 7951 §6.1 ${t.base})`);
    const short = shortInteger(v);
    if (!Number.isNaN(short)) {
      if (inRanges(fast, short)) return canonical ? String(short) : '';
      return failure(kind, expected);
    }
    if (!INT_STRING.test(v))
      return failure('type', `a JSON string holding a decimal integer (RFC 7951 §6.1 ${t.base})`);
    const n = BigInt(v);
    if (!ranges.some(([a, b]) => n >= a && n <= b)) return failure(kind, expected);
    return String(n);
  };
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
// already canonical: no sign but "-", no leading zeros, one fraction digit at least, no trailing zeros (and not -0.0)
const CANONICAL_DECIMAL = /^(?:-(?!0\.0$))?(?:0|[1-9]\d*)\.(?:0|\d*[1-9])$/;

export function decimalCheck(t: TypeSpec): ValueCheck {
  const fd = t.fractionDigits ?? 1;
  const ranges = (t.range ?? [INTEGER_LIMITS.decimal64!.map(String) as [string, string]]).map(
    ([a, b]) => [BigInt(a), BigInt(b)] as const,
  );
  const fast = ranges.map(([a, b]) => [Number(a), Number(b)] as const);
  const kind = t.range === undefined ? 'type' : 'range';
  const expected = `decimal64 in ${t.rangeText ?? 'the decimal64 range'}`;
  return (v, canonical = true) => {
    if (typeof v !== 'string') return failure('type', `a JSON string holding a decimal64 (RFC 7951 §6.1)`);
    // one pass: digits, fraction length and the scaled value while it stays exact as a double
    const len = v.length;
    let i = v.charCodeAt(0) === 45 || v.charCodeAt(0) === 43 ? 1 : 0;
    const neg = v.charCodeAt(0) === 45;
    let intDigits = 0;
    let fracDigits = -1;
    let scaled = 0;
    for (; i < len; i++) {
      const c = v.charCodeAt(i);
      if (c === 46 && fracDigits < 0 && intDigits > 0) fracDigits = 0;
      else if (c >= 48 && c <= 57) {
        scaled = scaled * 10 + (c - 48);
        if (fracDigits < 0) intDigits++;
        else fracDigits++;
      } else return failure('type', `a decimal with at most ${fd} fraction digits`);
    }
    if (intDigits === 0 || fracDigits === 0 || fracDigits > fd)
      return failure('type', `a decimal with at most ${fd} fraction digits`);
    const frac = Math.max(fracDigits, 0);
    let inRange: boolean;
    if (intDigits + fd <= 15) {
      const n = scaled * 10 ** (fd - frac);
      inRange = inRanges(fast, neg ? -n : n);
    } else {
      const m = DECIMAL.exec(v)!;
      const digits = m[2]! + (m[3] ?? '').padEnd(fd, '0');
      const n = neg ? -BigInt(digits) : BigInt(digits);
      inRange = ranges.some(([a, b]) => n >= a && n <= b);
    }
    if (!inRange) return failure(kind, expected);
    if (!canonical) return '';
    if (CANONICAL_DECIMAL.test(v)) return v;
    // RFC 7950 §9.3.2 canonical form: no leading zeros, trailing zeros dropped, at least one fraction digit
    const m = DECIMAL.exec(v)!;
    const int = m[2]!.replace(/^0+(?=\d)/, '');
    const f = (m[3] ?? '').replace(/0+$/, '');
    const zero = /^0+$/.test(int + f);
    return `${neg && !zero ? '-' : ''}${int}.${f === '' ? '0' : f}`;
  };
}

export function inRanges(ranges: readonly (readonly [number, number])[], n: number): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (n >= r[0] && n <= r[1]) return true;
  }
  return false;
}
