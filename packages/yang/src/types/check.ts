import type { IdentitySpec, TypeSpec } from '../schema.ts';
import { parseXPath } from '../xpath/parse.ts';
import { failure, type TypeFailure, type ValueCheck } from './failure.ts';
import { isInstanceIdentifier, isNodeInstanceIdentifier } from './instance-id.ts';
import { bigCheck, decimalCheck, numberCheck } from './numeric.ts';

export type { TypeFailure, ValueCheck } from './failure.ts';

/** XPath syntax check for `yang:xpath1.0` values (prefixes are module names in JSON, RFC 7951 §6.12). */
function isXPath(text: string): boolean {
  try {
    parseXPath(text, { defaultModule: '', prefix: (prefix) => prefix });
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
  readonly regex: (source: string) => RegExp;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * For a union holding leafref or instance-identifier members: which member
 * type accepts a value (the first that does, RFC 7950 §9.12), so that only a
 * value taken as a reference must have its instance. Undefined otherwise.
 */
export function compileUnionMember(
  type: TypeSpec,
  context: CheckContext,
): ((value: unknown) => TypeSpec | undefined) | undefined {
  const refersToInstance = (spec: TypeSpec): boolean =>
    spec.base === 'leafref' || spec.base === 'instance-identifier' || (spec.union?.some(refersToInstance) ?? false);
  if (type.base !== 'union' || !refersToInstance(type)) return undefined;
  const members = (type.union ?? []).map((member) => ({
    m: member,
    check: compileCheck(member, context),
    inner: compileUnionMember(member, context),
  }));
  return (value) => {
    for (const { m: member, check, inner } of members) {
      if (typeof check(value, false) === 'string') return inner === undefined ? member : inner(value);
    }
    return undefined;
  };
}

/** Compiles a type to a checker closure: regexes, BigInt bounds and enum maps are built once. */
export function compileCheck(type: TypeSpec, context: CheckContext): ValueCheck {
  switch (type.base) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return numberCheck(type);
    case 'int64':
    case 'uint64':
      return bigCheck(type);
    case 'decimal64':
      return decimalCheck(type);
    case 'string':
      return stringCheck(type, context);
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? String(value) : failure('type', 'a JSON boolean'));
    case 'empty':
      return (value) =>
        Array.isArray(value) && value.length === 1 && value[0] === null
          ? ''
          : failure('type', '[null] (RFC 7951 §6.9 empty)');
    case 'enumeration': {
      const names = new Set((type.enums ?? []).map((item) => item.name));
      const list = [...names].join(', ');
      return (value) =>
        typeof value !== 'string'
          ? failure('type', 'a JSON string naming an enum')
          : names.has(value)
            ? value
            : failure('enum', `one of ${list}`);
    }
    case 'bits':
      return bitsCheck(type);
    case 'binary':
      return binaryCheck(type);
    case 'identityref':
      return identityCheck(type, context);
    case 'union': {
      const members = (type.union ?? []).map((member) => compileCheck(member, context));
      const names = (type.union ?? []).map((member) => member.name).join(' | ');
      return (value) => {
        for (const memberCheck of members) {
          const result = memberCheck(value);
          if (typeof result === 'string') return result;
        }
        return failure('type', `a value of one of the union member types ${names}`);
      };
    }
    case 'leafref':
      return type.target === undefined
        ? (value) =>
            typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
              ? String(value)
              : failure('type', 'a scalar')
        : compileCheck(type.target, context);
    case 'instance-identifier':
      return (value) =>
        typeof value === 'string' && isInstanceIdentifier(value)
          ? value
          : failure('type', 'an instance-identifier ("/module:node[key=\'value\']/…", RFC 7951 §6.11)');
  }
}

function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) count--;
  }
  return count;
}

function lengthCheck(type: TypeSpec, length: number): TypeFailure | undefined {
  const bounds = type.length;
  if (bounds === undefined) return undefined;
  for (let i = 0; i < bounds.length; i++) if (length >= bounds[i]![0] && length <= bounds[i]![1]) return undefined;
  return failure('length', `length ${type.lengthText}`, `length ${length} is outside ${type.lengthText}`);
}

function stringCheck(type: TypeSpec, context: CheckContext): ValueCheck {
  const patterns = (type.patterns ?? []).map((spec) => ({ regex: context.regex(spec.js), spec }));
  const special =
    type.special === 'node-instance-identifier'
      ? isNodeInstanceIdentifier
      : type.special === 'xpath1.0'
        ? (text: string) => isXPath(text)
        : undefined;
  const counted = type.length !== undefined;
  return (value) => {
    if (typeof value !== 'string') return failure('type', 'a JSON string');
    if (special !== undefined && !special(value))
      return failure(
        'type',
        type.special === 'xpath1.0'
          ? 'an XPath 1.0 expression'
          : 'a node-instance-identifier ("/" or "/module:node/…")',
      );
    if (counted) {
      const bad = lengthCheck(type, codePoints(value));
      if (bad !== undefined) return bad;
    }
    for (let i = 0; i < patterns.length; i++) {
      const { regex, spec } = patterns[i]!;
      if (regex.test(value) === spec.invert)
        return failure(
          'pattern',
          `${spec.invert ? 'no match of' : 'a match of'} pattern "${spec.xsd}"`,
          spec.errorMessage,
        );
    }
    return value;
  };
}

function bitsCheck(type: TypeSpec): ValueCheck {
  const positions = new Map((type.bits ?? []).map((bit) => [bit.name, bit.position]));
  return (value) => {
    if (typeof value !== 'string') return failure('type', 'a JSON string of space-separated bit names');
    const names = value.split(/[ \t\n]+/).filter((part) => part !== '');
    const seen = new Set<string>();
    for (const name of names) {
      if (!positions.has(name)) return failure('enum', `bit names among ${[...positions.keys()].join(', ')}`);
      if (seen.has(name)) return failure('type', `each bit at most once ("${name}" repeats)`);
      seen.add(name);
    }
    return names.sort((a, b) => positions.get(a)! - positions.get(b)!).join(' ');
  };
}

function binaryCheck(type: TypeSpec): ValueCheck {
  return (value) => {
    if (typeof value !== 'string') return failure('type', 'a JSON string holding base64 (RFC 7951 §6.6)');
    const text = value.replace(/[\r\n]/g, '');
    if (!BASE64.test(text)) return failure('type', 'base64 (RFC 4648 §4)');
    const bytes = (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
    return lengthCheck(type, bytes) ?? value;
  };
}

function identityCheck(type: TypeSpec, context: CheckContext): ValueCheck {
  // only identities of implemented modules are values (RFC 7950 §9.10.2); the rest only explain a failure
  const valid = (identity: string): boolean => context.implemented.has(identity.slice(0, identity.indexOf(':')));
  const bases = (type.bases ?? []).map((base) => new Set((context.identities[base]?.derived ?? []).filter(valid)));
  return (value) => {
    if (typeof value !== 'string') return failure('type', 'a JSON string naming an identity');
    const identity = value.includes(':') ? value : `${context.module}:${value}`;
    if (bases.every((derived) => derived.has(identity))) return identity;
    if (context.identities[identity] === undefined)
      return failure(
        'identity',
        `an identity derived from ${type.bases?.join(' and ')}`,
        `unknown identity "${value}"`,
      );
    if (!valid(identity))
      return failure(
        'identity',
        `an identity of an implemented module derived from ${type.bases?.join(' and ')}`,
        `identity "${value}" is defined in "${identity.slice(0, identity.indexOf(':'))}", which is only imported`,
      );
    return failure('identity', `an identity derived from ${type.bases?.join(' and ')}`);
  };
}
