import type { IdentitySpec, TypeSpec } from '../schema.ts';
import { parseXPath } from '../xpath/parse.ts';
import { failure, type TypeFailure, type ValueCheck } from './failure.ts';
import { isInstanceIdentifier, isNodeInstanceIdentifier } from './instance-id.ts';
import { bigCheck, decimalCheck, numberCheck } from './numeric.ts';

export type { TypeFailure, ValueCheck } from './failure.ts';

/** XPath syntax check for `yang:xpath1.0` values (prefixes are module names in JSON, RFC 7951 §6.12). */
function isXPath(s: string): boolean {
  try {
    parseXPath(s, { defaultModule: '', prefix: (p) => p });
    return true;
  } catch {
    return false;
  }
}

/** What a checker needs besides the type: the leaf's module (for identityrefs), the identities and the implemented modules. */
export interface CheckContext {
  readonly module: string;
  readonly identities: Readonly<Record<string, IdentitySpec>>;
  /** Modules whose identities are valid identityref values (RFC 7950 §9.10.2: those of implemented modules). */
  readonly implemented: ReadonlySet<string>;
  readonly regex: (js: string) => RegExp;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * For a union holding leafref or instance-identifier members: which member
 * type accepts a value (the first that does, RFC 7950 §9.12), so that only a
 * value taken as a reference must have its instance. Undefined otherwise.
 */
export function compileUnionMember(
  t: TypeSpec,
  cx: CheckContext,
): ((value: unknown) => TypeSpec | undefined) | undefined {
  const refs = (x: TypeSpec): boolean =>
    x.base === 'leafref' || x.base === 'instance-identifier' || (x.union?.some(refs) ?? false);
  if (t.base !== 'union' || !refs(t)) return undefined;
  const members = (t.union ?? []).map((m) => ({ m, check: compileCheck(m, cx), inner: compileUnionMember(m, cx) }));
  return (v) => {
    for (const { m, check, inner } of members) {
      if (typeof check(v, false) === 'string') return inner === undefined ? m : inner(v);
    }
    return undefined;
  };
}

/** Compiles a type to a checker closure: regexes, BigInt bounds and enum maps are built once. */
export function compileCheck(t: TypeSpec, cx: CheckContext): ValueCheck {
  switch (t.base) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return numberCheck(t);
    case 'int64':
    case 'uint64':
      return bigCheck(t);
    case 'decimal64':
      return decimalCheck(t);
    case 'string':
      return stringCheck(t, cx);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? String(v) : failure('type', 'a JSON boolean'));
    case 'empty':
      return (v) =>
        Array.isArray(v) && v.length === 1 && v[0] === null ? '' : failure('type', '[null] (RFC 7951 §6.9 empty)');
    case 'enumeration': {
      const names = new Set((t.enums ?? []).map((e) => e.name));
      const list = [...names].join(', ');
      return (v) =>
        typeof v !== 'string'
          ? failure('type', 'a JSON string naming an enum')
          : names.has(v)
            ? v
            : failure('enum', `one of ${list}`);
    }
    case 'bits':
      return bitsCheck(t);
    case 'binary':
      return binaryCheck(t);
    case 'identityref':
      return identityCheck(t, cx);
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
    case 'leafref':
      return t.target === undefined
        ? (v) =>
            typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
              ? String(v)
              : failure('type', 'a scalar')
        : compileCheck(t.target, cx);
    case 'instance-identifier':
      return (v) =>
        typeof v === 'string' && isInstanceIdentifier(v)
          ? v
          : failure('type', 'an instance-identifier ("/module:node[key=\'value\']/…", RFC 7951 §6.11)');
  }
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
  const bounds = t.length;
  if (bounds === undefined) return undefined;
  for (let i = 0; i < bounds.length; i++) if (len >= bounds[i]![0] && len <= bounds[i]![1]) return undefined;
  return failure('length', `length ${t.lengthText}`, `length ${len} is outside ${t.lengthText}`);
}

function stringCheck(t: TypeSpec, cx: CheckContext): ValueCheck {
  const patterns = (t.patterns ?? []).map((p) => ({ re: cx.regex(p.js), p }));
  const special =
    t.special === 'node-instance-identifier'
      ? isNodeInstanceIdentifier
      : t.special === 'xpath1.0'
        ? (s: string) => isXPath(s)
        : undefined;
  const counted = t.length !== undefined;
  return (v) => {
    if (typeof v !== 'string') return failure('type', 'a JSON string');
    if (special !== undefined && !special(v))
      return failure(
        'type',
        t.special === 'xpath1.0' ? 'an XPath 1.0 expression' : 'a node-instance-identifier ("/" or "/module:node/…")',
      );
    if (counted) {
      const bad = lengthCheck(t, codePoints(v));
      if (bad !== undefined) return bad;
    }
    for (let i = 0; i < patterns.length; i++) {
      const { re, p } = patterns[i]!;
      if (re.test(v) === p.invert)
        return failure('pattern', `${p.invert ? 'no match of' : 'a match of'} pattern "${p.xsd}"`, p.errorMessage);
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
  // only identities of implemented modules are values (RFC 7950 §9.10.2); the rest only explain a failure
  const valid = (id: string): boolean => cx.implemented.has(id.slice(0, id.indexOf(':')));
  const bases = (t.bases ?? []).map((b) => new Set((cx.identities[b]?.derived ?? []).filter(valid)));
  return (v) => {
    if (typeof v !== 'string') return failure('type', 'a JSON string naming an identity');
    const id = v.includes(':') ? v : `${cx.module}:${v}`;
    if (bases.every((s) => s.has(id))) return id;
    if (cx.identities[id] === undefined)
      return failure('identity', `an identity derived from ${t.bases?.join(' and ')}`, `unknown identity "${v}"`);
    if (!valid(id))
      return failure(
        'identity',
        `an identity of an implemented module derived from ${t.bases?.join(' and ')}`,
        `identity "${v}" is defined in "${id.slice(0, id.indexOf(':'))}", which is only imported`,
      );
    return failure('identity', `an identity derived from ${t.bases?.join(' and ')}`);
  };
}
