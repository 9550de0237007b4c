import type { IdentitySpec, TypeSpec } from '../schema.ts';
import { parseXPath } from '../xpath/parse.ts';
import { isInstanceIdentifier, isNodeInstanceIdentifier } from './instance-id.ts';
import { INTEGER_LIMITS } from './limits.ts';

/** XPath syntax check for `yang:xpath1.0` values (prefixes are module names in JSON, RFC 7951 §6.12). */
function isXPath(s: string): boolean {
  try {
    parseXPath(s, { defaultModule: '', prefix: (p) => p });
    return true;
  } catch {
    return false;
  }
}

/** Why a value does not fit its type. */
export interface TypeFailure {
  readonly fail: true;
  readonly kind: 'type' | 'range' | 'length' | 'pattern' | 'enum' | 'identity';
  readonly expected: string;
  readonly message?: string;
}

/**
 * Checks one RFC 7951 JSON value; returns its canonical string (the XPath
 * string-value) or a failure. With `canonical` false a success may return
 * any string: callers that keep no data node skip building it.
 */
export type ValueCheck = (value: unknown, canonical?: boolean) => string | TypeFailure;

/** What a checker needs besides the type: the leaf's module (for identityrefs) and the identities. */
export interface CheckContext {
  readonly module: string;
  readonly identities: Readonly<Record<string, IdentitySpec>>;
  readonly regex: (js: string) => RegExp;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT_STRING = /^[+-]?\d+$/;

function failure(kind: TypeFailure['kind'], expected: string, message?: string): TypeFailure {
  return message === undefined ? { fail: true, kind, expected } : { fail: true, kind, expected, message };
}

/** Compiles a type to a checker closure: regexes, BigInt bounds and enum maps are built once. */
export function compileCheck(t: TypeSpec, cx: CheckContext): ValueCheck {
  switch (t.base) {
    case 'int8': case 'int16': case 'int32': case 'uint8': case 'uint16': case 'uint32': return numberCheck(t);
    case 'int64': case 'uint64': return bigCheck(t);
    case 'decimal64': return decimalCheck(t);
    case 'string': return stringCheck(t, cx);
    case 'boolean': return (v) => (typeof v === 'boolean' ? String(v) : failure('type', 'a JSON boolean'));
    case 'empty': return (v) => (Array.isArray(v) && v.length === 1 && v[0] === null ? '' : failure('type', '[null] (RFC 7951 §6.9 empty)'));
    case 'enumeration': {
      const names = new Set((t.enums ?? []).map((e) => e.name));
      const list = [...names].join(', ');
      return (v) => (typeof v !== 'string' ? failure('type', 'a JSON string naming an enum') : names.has(v) ? v : failure('enum', `one of ${list}`));
    }
    case 'bits': return bitsCheck(t);
    case 'binary': return binaryCheck(t);
    case 'identityref': return identityCheck(t, cx);
    case 'union': {
      const members = (t.union ?? []).map((m) => compileCheck(m, cx));
      const names = (t.union ?? []).map((m) => m.name).join(' | ');
      return (v) => {
        for (const m of members) {
          const r = m(v);
          if (typeof r === 'string') return r;
        }
        return failure('type', `a value of one of the union member types ${names}`);
      };
    }
    case 'leafref': return t.target === undefined ? (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : failure('type', 'a scalar')) : compileCheck(t.target, cx);
    case 'instance-identifier': return (v) => (typeof v === 'string' && isInstanceIdentifier(v) ? v : failure('type', 'an instance-identifier ("/module:node[key=\'value\']/…", RFC 7951 §6.11)'));
  }
}

function numberCheck(t: TypeSpec): ValueCheck {
  const ranges = (t.range ?? [INTEGER_LIMITS[t.base]!.map(String) as [string, string]]).map(([a, b]) => [Number(a), Number(b)] as const);
  const expected = `${t.base} in ${t.rangeText ?? `${ranges[0]![0]}..${ranges[0]![1]}`}`;
  const one = ranges.length === 1 ? ranges[0]! : undefined;
  return (v, canonical = true) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return failure('type', `a JSON number (RFC 7951 §6.1 ${t.base})`);
    if (one !== undefined ? v < one[0] || v > one[1] : !inRanges(ranges, v)) return failure(t.range === undefined ? 'type' : 'range', expected);
    return canonical ? String(v) : '';
  };
}

// Values of up to 15 digits are exact as doubles; comparing them to (possibly
// rounded) bounds beyond 2^53 stays exact, so the common case avoids BigInt.
const SHORT_INT = /^[+-]?\d{1,15}$/;

function bigCheck(t: TypeSpec): ValueCheck {
  const ranges = (t.range ?? [INTEGER_LIMITS[t.base]!.map(String) as [string, string]]).map(([a, b]) => [BigInt(a), BigInt(b)] as const);
  const fast = ranges.map(([a, b]) => [Number(a), Number(b)] as const);
  const expected = `${t.base} in ${t.rangeText ?? `${ranges[0]![0]}..${ranges[0]![1]}`}`;
  const kind = t.range === undefined ? 'type' : 'range';
  return (v, canonical = true) => {
    if (typeof v !== 'string') return failure('type', `a JSON string holding a decimal integer (RFC 7951 §6.1 ${t.base})`);
    if (v.length <= 16 && SHORT_INT.test(v)) {
      const n = Number(v);
      if (inRanges(fast, n)) return canonical ? String(n) : '';
      return failure(kind, expected);
    }
    if (!INT_STRING.test(v)) return failure('type', `a JSON string holding a decimal integer (RFC 7951 §6.1 ${t.base})`);
    const n = BigInt(v);
    if (!ranges.some(([a, b]) => n >= a && n <= b)) return failure(kind, expected);
    return String(n);
  };
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
// already canonical: no sign but "-", no leading zeros, one fraction digit at least, no trailing zeros (and not -0.0)
const CANONICAL_DECIMAL = /^(?:-(?!0\.0$))?(?:0|[1-9]\d*)\.(?:0|\d*[1-9])$/;

function decimalCheck(t: TypeSpec): ValueCheck {
  const fd = t.fractionDigits ?? 1;
  const ranges = (t.range ?? [INTEGER_LIMITS.decimal64!.map(String) as [string, string]]).map(([a, b]) => [BigInt(a), BigInt(b)] as const);
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
    if (intDigits === 0 || fracDigits === 0 || fracDigits > fd) return failure('type', `a decimal with at most ${fd} fraction digits`);
    const frac = fracDigits < 0 ? 0 : fracDigits;
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

function inRanges(ranges: readonly (readonly [number, number])[], n: number): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (n >= r[0] && n <= r[1]) return true;
  }
  return false;
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

function lengthCheck(t: TypeSpec, len: number): TypeFailure | undefined {
  if (t.length === undefined || t.length.some(([a, b]) => len >= a && len <= b)) return undefined;
  return failure('length', `length ${t.lengthText}`, `length ${len} is outside ${t.lengthText}`);
}

function stringCheck(t: TypeSpec, cx: CheckContext): ValueCheck {
  const patterns = (t.patterns ?? []).map((p) => ({ re: cx.regex(p.js), p }));
  const special = t.special === 'node-instance-identifier' ? isNodeInstanceIdentifier : t.special === 'xpath1.0' ? (s: string) => isXPath(s) : undefined;
  return (v) => {
    if (typeof v !== 'string') return failure('type', 'a JSON string');
    if (special !== undefined && !special(v)) return failure('type', t.special === 'xpath1.0' ? 'an XPath 1.0 expression' : 'a node-instance-identifier ("/" or "/module:node/…")');
    const bad = lengthCheck(t, codePoints(v));
    if (bad !== undefined) return bad;
    for (const { re, p } of patterns) {
      if (re.test(v) === p.invert) return failure('pattern', `${p.invert ? 'no match of' : 'a match of'} pattern "${p.xsd}"`, p.errorMessage);
    }
    return v;
  };
}

function bitsCheck(t: TypeSpec): ValueCheck {
  const pos = new Map((t.bits ?? []).map((b) => [b.name, b.position]));
  return (v) => {
    if (typeof v !== 'string') return failure('type', 'a JSON string of space-separated bit names');
    const names = v.split(/[ \t\n]+/).filter((s) => s !== '');
    const seen = new Set<string>();
    for (const n of names) {
      if (!pos.has(n)) return failure('enum', `bit names among ${[...pos.keys()].join(', ')}`);
      if (seen.has(n)) return failure('type', `each bit at most once ("${n}" repeats)`);
      seen.add(n);
    }
    return names.sort((a, b) => pos.get(a)! - pos.get(b)!).join(' ');
  };
}

function binaryCheck(t: TypeSpec): ValueCheck {
  return (v) => {
    if (typeof v !== 'string') return failure('type', 'a JSON string holding base64 (RFC 7951 §6.6)');
    const s = v.replace(/[\r\n]/g, '');
    if (!BASE64.test(s)) return failure('type', 'base64 (RFC 4648 §4)');
    const bytes = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
    return lengthCheck(t, bytes) ?? v;
  };
}

function identityCheck(t: TypeSpec, cx: CheckContext): ValueCheck {
  const bases = (t.bases ?? []).map((b) => new Set(cx.identities[b]?.derived ?? []));
  return (v) => {
    if (typeof v !== 'string') return failure('type', 'a JSON string naming an identity');
    const id = v.includes(':') ? v : `${cx.module}:${v}`;
    if (cx.identities[id] === undefined) return failure('identity', `an identity derived from ${t.bases?.join(' and ')}`, `unknown identity "${v}"`);
    if (!bases.every((s) => s.has(id))) return failure('identity', `an identity derived from ${t.bases?.join(' and ')}`);
    return id;
  };
}
