import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, sub, subArg, subs, where } from '../parser/statement.ts';
import type { PatternSpec, TypeSpec } from '../schema.ts';
import { BUILTINS, INTEGER_LIMITS, scaledDecimal } from '../types/limits.ts';
import { xsdToJs } from '../types/xsd-regex.ts';
import { parseXPath } from '../xpath/parse.ts';
import { enabledByFeatures } from './features.ts';
import { lookup, resolvePrefixed, type Scope } from './modules.ts';

const SPECIAL: Record<string, TypeSpec['special']> = {
  'ietf-yang-types:xpath1.0': 'xpath1.0',
  'ietf-netconf-acm:node-instance-identifier': 'node-instance-identifier',
};

/** A resolved type plus the default its typedef chain gives. */
export interface ResolvedType {
  readonly spec: TypeSpec;
  readonly default: string | undefined;
}

/** Resolves a `type` statement through its typedef chain and applies its restrictions (RFC 7950 §9). */
export function resolveType(type: Statement, scope: Scope, namespace: string, depth = 0): ResolvedType {
  const name = type.arg!;
  if (depth > 64)
    throw new YangError(YangErrorCode.Cycle, `Typedef cycle through "${name}"`, { location: where(type) });
  let base: ResolvedType;
  if (!name.includes(':') && BUILTINS.has(name))
    base = { spec: { base: name as TypeSpec['base'], name }, default: undefined };
  else {
    const typedef = lookup(scope, 'typedefs', name, type);
    if (typedef === undefined)
      throw new YangError(YangErrorCode.Unresolved, `Unknown type "${name}"`, { location: where(type) });
    const inner = sub(typedef.statement, 'type');
    if (inner === undefined)
      throw new YangError(YangErrorCode.Grammar, `typedef "${name}" needs a type`, {
        location: where(typedef.statement),
      });
    const resolved = resolveType(inner, typedef.scope, namespace, depth + 1);
    const special = SPECIAL[`${typedef.scope.module.name}:${typedef.statement.arg}`];
    base = {
      spec: { ...resolved.spec, name, ...(special === undefined ? {} : { special }) },
      default: subArg(typedef.statement, 'default') ?? resolved.default,
    };
  }
  return { spec: restrict(base.spec, type, scope, namespace), default: base.default };
}

function restrict(spec: TypeSpec, type: Statement, scope: Scope, namespace: string): TypeSpec {
  let out: { -readonly [K in keyof TypeSpec]: TypeSpec[K] } = { ...spec };
  const fail = (statement: Statement, message: string): never => {
    throw new YangError(YangErrorCode.InvalidType, message, { location: where(statement) });
  };
  const builtin = type.arg === spec.base;
  const fractionDigits = sub(type, 'fraction-digits');
  if (spec.base === 'decimal64' && builtin) {
    const digits = Number(fractionDigits?.arg);
    if (fractionDigits === undefined || !Number.isInteger(digits) || digits < 1 || digits > 18)
      fail(fractionDigits ?? type, 'decimal64 needs "fraction-digits" 1..18');
    out.fractionDigits = digits;
  } else if (fractionDigits !== undefined)
    fail(fractionDigits, `"fraction-digits" is only allowed on the built-in decimal64, not on ${type.arg}`);
  const range = sub(type, 'range');
  if (range !== undefined) {
    if (INTEGER_LIMITS[spec.base] === undefined) fail(range, `"range" does not apply to ${spec.base}`);
    out.range = intervals(range, bounds(out), (text) =>
      spec.base === 'decimal64'
        ? scaledDecimal(text, out.fractionDigits ?? 0)
        : /^[+-]?\d+$/.test(text)
          ? BigInt(text)
          : undefined,
    ).map(([min, max]) => [String(min), String(max)] as const);
    out.rangeText = range.arg!;
  }
  const length = sub(type, 'length');
  if (length !== undefined) {
    if (spec.base !== 'string' && spec.base !== 'binary') fail(length, `"length" does not apply to ${spec.base}`);
    const base = (out.length ?? [[0, Infinity]]).map(
      ([min, max]) => [BigInt(min), BigInt(max === Infinity ? '18446744073709551615' : max)] as [bigint, bigint],
    );
    out.length = intervals(length, base, (text) => (/^\d+$/.test(text) ? BigInt(text) : undefined)).map(
      ([min, max]) => [Number(min), max > 9007199254740991n ? Infinity : Number(max)] as const,
    );
    out.lengthText = length.arg!;
  }
  const patterns = subs(type, 'pattern');
  if (patterns.length > 0) {
    if (spec.base !== 'string') fail(patterns[0]!, `"pattern" does not apply to ${spec.base}`);
    out.patterns = [...(spec.patterns ?? []), ...patterns.map((statement) => pattern(statement))];
  }
  const enums = subs(type, 'enum');
  if (enums.length > 0) out = { ...out, enums: enumerate(enums, spec, scope, fail) };
  else if (spec.base === 'enumeration' && builtin) fail(type, 'enumeration needs at least one "enum"');
  const bits = subs(type, 'bit');
  if (bits.length > 0) out.bits = bitList(bits, spec, scope, fail);
  else if (spec.base === 'bits' && builtin) fail(type, 'bits needs at least one "bit"');
  const path = sub(type, 'path');
  if (path !== undefined) {
    if (!builtin || spec.base !== 'leafref') fail(path, '"path" is only allowed on the built-in leafref');
    out.path = parseXPath(path.arg!, names(scope, namespace));
    out.pathText = path.arg!;
  } else if (spec.base === 'leafref' && builtin) fail(type, 'leafref needs a "path"');
  const requireInstance = subArg(type, 'require-instance');
  if (requireInstance !== undefined) out.requireInstance = requireInstance === 'true';
  const bases = subs(type, 'base');
  if (bases.length > 0) {
    out.bases = bases.map((base) => {
      const resolved = resolvePrefixed(scope, base.arg!, base);
      return `${resolved.module.name}:${resolved.name}`;
    });
  } else if (spec.base === 'identityref' && builtin) fail(type, 'identityref needs a "base"');
  const members = subs(type, 'type');
  if (members.length > 0) {
    if (!builtin || spec.base !== 'union') fail(members[0]!, 'member types are only allowed on the built-in union');
    out.union = members.map((member) => resolveType(member, scope, namespace).spec);
  } else if (spec.base === 'union' && builtin) fail(type, 'union needs member types');
  return out;
}

/** Names for XPath in `scope`, unprefixed names in `namespace`. */
export function names(
  scope: Scope,
  namespace: string,
): { defaultModule: string; prefix(prefix: string): string | undefined } {
  return { defaultModule: namespace, prefix: (prefix) => scope.prefixes.get(prefix)?.name };
}

function bounds(spec: TypeSpec): [bigint, bigint][] {
  if (spec.range !== undefined) return spec.range.map(([min, max]) => [BigInt(min), BigInt(max)]);
  return [[...INTEGER_LIMITS[spec.base]!]];
}

/** `"1..10 | 20"`: intervals, each inside one interval of the base (§9.2.4: restrictions only narrow). */
function intervals(
  statement: Statement,
  base: [bigint, bigint][],
  parse: (text: string) => bigint | undefined,
): [bigint, bigint][] {
  const min = base[0]![0];
  const max = base[base.length - 1]![1];
  const out: [bigint, bigint][] = [];
  for (const part of statement.arg!.split('|')) {
    const ends = part.split('..').map((end) => end.trim());
    const values = ends.map((text) => {
      const value = text === 'min' ? min : text === 'max' ? max : parse(text);
      if (value === undefined || ends.length > 2)
        throw new YangError(
          YangErrorCode.InvalidType,
          `Invalid ${statement.keyword} "${statement.arg}": cannot read "${text}"`,
          {
            location: where(statement),
          },
        );
      return value;
    });
    const low = values[0]!;
    const high = values[values.length - 1]!;
    if (low > high || (out.length > 0 && low <= out[out.length - 1]![1]))
      throw new YangError(
        YangErrorCode.InvalidType,
        `Invalid ${statement.keyword} "${statement.arg}": parts must ascend and not overlap`,
        { location: where(statement) },
      );
    if (!base.some(([lower, upper]) => low >= lower && high <= upper))
      throw new YangError(
        YangErrorCode.InvalidType,
        `Invalid ${statement.keyword} "${statement.arg}": "${part.trim()}" is outside the base type's ${statement.keyword}`,
        { location: where(statement) },
      );
    out.push([low, high]);
  }
  return out;
}

function pattern(statement: Statement): PatternSpec {
  const modifier = subArg(statement, 'modifier');
  const message = subArg(statement, 'error-message');
  try {
    return {
      xsd: statement.arg!,
      js: xsdToJs(statement.arg!),
      invert: modifier === 'invert-match',
      ...(message === undefined ? {} : { errorMessage: message }),
    };
  } catch (cause) {
    throw new YangError(YangErrorCode.InvalidType, (cause as Error).message, { location: where(statement), cause });
  }
}

type Fail = (statement: Statement, message: string) => never;

function enumerate(enums: Statement[], spec: TypeSpec, scope: Scope, fail: Fail): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  let next = 0;
  for (const statement of enums) {
    if (!enabledByFeatures(statement, scope)) continue;
    const name = statement.arg!;
    if (out.some((other) => other.name === name)) fail(statement, `Duplicate enum "${name}"`);
    const inherited = spec.enums?.find((other) => other.name === name);
    if (spec.enums !== undefined && inherited === undefined)
      fail(statement, `enum "${name}" is not in the base type ${spec.name}`);
    const given = subArg(statement, 'value');
    const value = given === undefined ? (inherited?.value ?? next) : Number(given);
    if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)
      fail(statement, `enum "${name}" value must be an int32`);
    if (inherited !== undefined && inherited.value !== value)
      fail(statement, `enum "${name}" must keep the base type's value ${inherited.value}`);
    out.push({ name, value });
    next = Math.max(next, value + 1);
  }
  return out;
}

function bitList(bits: Statement[], spec: TypeSpec, scope: Scope, fail: Fail): { name: string; position: number }[] {
  const out: { name: string; position: number }[] = [];
  let next = 0;
  for (const statement of bits) {
    if (!enabledByFeatures(statement, scope)) continue;
    const inherited = spec.bits?.find((other) => other.name === statement.arg);
    if (spec.bits !== undefined && inherited === undefined)
      fail(statement, `bit "${statement.arg}" is not in the base type ${spec.name}`);
    const given = subArg(statement, 'position');
    const position = given === undefined ? (inherited?.position ?? next) : Number(given);
    if (!Number.isInteger(position) || position < 0 || position > 4294967295)
      fail(statement, `bit "${statement.arg}" position must be a uint32`);
    out.push({ name: statement.arg!, position });
    next = Math.max(next, position + 1);
  }
  return out;
}
