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
export function resolveType(type: Statement, scope: Scope, ns: string, depth = 0): ResolvedType {
  const name = type.arg!;
  if (depth > 64)
    throw new YangError(YangErrorCode.Cycle, `Typedef cycle through "${name}"`, { location: where(type) });
  let base: ResolvedType;
  if (!name.includes(':') && BUILTINS.has(name))
    base = { spec: { base: name as TypeSpec['base'], name }, default: undefined };
  else {
    const td = lookup(scope, 'typedefs', name, type);
    if (td === undefined)
      throw new YangError(YangErrorCode.Unresolved, `Unknown type "${name}"`, { location: where(type) });
    const inner = sub(td.statement, 'type');
    if (inner === undefined)
      throw new YangError(YangErrorCode.Grammar, `typedef "${name}" needs a type`, { location: where(td.statement) });
    const r = resolveType(inner, td.scope, ns, depth + 1);
    const special = SPECIAL[`${td.scope.module.name}:${td.statement.arg}`];
    base = {
      spec: { ...r.spec, name, ...(special === undefined ? {} : { special }) },
      default: subArg(td.statement, 'default') ?? r.default,
    };
  }
  return { spec: restrict(base.spec, type, scope, ns), default: base.default };
}

function restrict(spec: TypeSpec, type: Statement, scope: Scope, ns: string): TypeSpec {
  let out: { -readonly [K in keyof TypeSpec]: TypeSpec[K] } = { ...spec };
  const fail = (s: Statement, msg: string): never => {
    throw new YangError(YangErrorCode.InvalidType, msg, { location: where(s) });
  };
  const builtin = type.arg === spec.base;
  const fd = sub(type, 'fraction-digits');
  if (spec.base === 'decimal64' && builtin) {
    const n = Number(fd?.arg);
    if (fd === undefined || !Number.isInteger(n) || n < 1 || n > 18)
      fail(fd ?? type, 'decimal64 needs "fraction-digits" 1..18');
    out.fractionDigits = n;
  } else if (fd !== undefined)
    fail(fd, `"fraction-digits" is only allowed on the built-in decimal64, not on ${type.arg}`);
  const range = sub(type, 'range');
  if (range !== undefined) {
    if (INTEGER_LIMITS[spec.base] === undefined) fail(range, `"range" does not apply to ${spec.base}`);
    out.range = intervals(range, bounds(out), (t) =>
      spec.base === 'decimal64'
        ? scaledDecimal(t, out.fractionDigits ?? 0)
        : /^[+-]?\d+$/.test(t)
          ? BigInt(t)
          : undefined,
    ).map(([a, b]) => [String(a), String(b)] as const);
    out.rangeText = range.arg!;
  }
  const length = sub(type, 'length');
  if (length !== undefined) {
    if (spec.base !== 'string' && spec.base !== 'binary') fail(length, `"length" does not apply to ${spec.base}`);
    const base = (out.length ?? [[0, Infinity]]).map(
      ([a, b]) => [BigInt(a), BigInt(b === Infinity ? '18446744073709551615' : b)] as [bigint, bigint],
    );
    out.length = intervals(length, base, (t) => (/^\d+$/.test(t) ? BigInt(t) : undefined)).map(
      ([a, b]) => [Number(a), b > 9007199254740991n ? Infinity : Number(b)] as const,
    );
    out.lengthText = length.arg!;
  }
  const patterns = subs(type, 'pattern');
  if (patterns.length > 0) {
    if (spec.base !== 'string') fail(patterns[0]!, `"pattern" does not apply to ${spec.base}`);
    out.patterns = [...(spec.patterns ?? []), ...patterns.map((p) => pattern(p))];
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
    out.path = parseXPath(path.arg!, names(scope, ns));
    out.pathText = path.arg!;
  } else if (spec.base === 'leafref' && builtin) fail(type, 'leafref needs a "path"');
  const ri = subArg(type, 'require-instance');
  if (ri !== undefined) out.requireInstance = ri === 'true';
  const bases = subs(type, 'base');
  if (bases.length > 0) {
    out.bases = bases.map((b) => {
      const r = resolvePrefixed(scope, b.arg!, b);
      return `${r.module.name}:${r.name}`;
    });
  } else if (spec.base === 'identityref' && builtin) fail(type, 'identityref needs a "base"');
  const members = subs(type, 'type');
  if (members.length > 0) {
    if (!builtin || spec.base !== 'union') fail(members[0]!, 'member types are only allowed on the built-in union');
    out.union = members.map((m) => resolveType(m, scope, ns).spec);
  } else if (spec.base === 'union' && builtin) fail(type, 'union needs member types');
  return out;
}

/** Names for XPath in `scope`, unprefixed names in namespace `ns`. */
export function names(scope: Scope, ns: string): { defaultModule: string; prefix(p: string): string | undefined } {
  return { defaultModule: ns, prefix: (p) => scope.prefixes.get(p)?.name };
}

function bounds(spec: TypeSpec): [bigint, bigint][] {
  if (spec.range !== undefined) return spec.range.map(([a, b]) => [BigInt(a), BigInt(b)]);
  return [[...INTEGER_LIMITS[spec.base]!]];
}

/** `"1..10 | 20"`: intervals, each inside one interval of the base (§9.2.4: restrictions only narrow). */
function intervals(
  stmt: Statement,
  base: [bigint, bigint][],
  parse: (t: string) => bigint | undefined,
): [bigint, bigint][] {
  const min = base[0]![0];
  const max = base[base.length - 1]![1];
  const out: [bigint, bigint][] = [];
  for (const part of stmt.arg!.split('|')) {
    const ends = part.split('..').map((s) => s.trim());
    const values = ends.map((t) => {
      const v = t === 'min' ? min : t === 'max' ? max : parse(t);
      if (v === undefined || ends.length > 2)
        throw new YangError(YangErrorCode.InvalidType, `Invalid ${stmt.keyword} "${stmt.arg}": cannot read "${t}"`, {
          location: where(stmt),
        });
      return v;
    });
    const lo = values[0]!;
    const hi = values[values.length - 1]!;
    if (lo > hi || (out.length > 0 && lo <= out[out.length - 1]![1]))
      throw new YangError(
        YangErrorCode.InvalidType,
        `Invalid ${stmt.keyword} "${stmt.arg}": parts must ascend and not overlap`,
        { location: where(stmt) },
      );
    if (!base.some(([a, b]) => lo >= a && hi <= b))
      throw new YangError(
        YangErrorCode.InvalidType,
        `Invalid ${stmt.keyword} "${stmt.arg}": "${part.trim()}" is outside the base type's ${stmt.keyword}`,
        { location: where(stmt) },
      );
    out.push([lo, hi]);
  }
  return out;
}

function pattern(p: Statement): PatternSpec {
  const modifier = subArg(p, 'modifier');
  const msg = subArg(p, 'error-message');
  try {
    return {
      xsd: p.arg!,
      js: xsdToJs(p.arg!),
      invert: modifier === 'invert-match',
      ...(msg === undefined ? {} : { errorMessage: msg }),
    };
  } catch (cause) {
    throw new YangError(YangErrorCode.InvalidType, (cause as Error).message, { location: where(p), cause });
  }
}

type Fail = (s: Statement, msg: string) => never;

function enumerate(enums: Statement[], spec: TypeSpec, scope: Scope, fail: Fail): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  let next = 0;
  for (const e of enums) {
    if (!enabledByFeatures(e, scope)) continue;
    const name = e.arg!;
    if (out.some((x) => x.name === name)) fail(e, `Duplicate enum "${name}"`);
    const inherited = spec.enums?.find((x) => x.name === name);
    if (spec.enums !== undefined && inherited === undefined)
      fail(e, `enum "${name}" is not in the base type ${spec.name}`);
    const v = subArg(e, 'value');
    const value = v === undefined ? (inherited?.value ?? next) : Number(v);
    if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)
      fail(e, `enum "${name}" value must be an int32`);
    if (inherited !== undefined && inherited.value !== value)
      fail(e, `enum "${name}" must keep the base type's value ${inherited.value}`);
    out.push({ name, value });
    next = Math.max(next, value + 1);
  }
  return out;
}

function bitList(bits: Statement[], spec: TypeSpec, scope: Scope, fail: Fail): { name: string; position: number }[] {
  const out: { name: string; position: number }[] = [];
  let next = 0;
  for (const b of bits) {
    if (!enabledByFeatures(b, scope)) continue;
    const inherited = spec.bits?.find((x) => x.name === b.arg);
    if (spec.bits !== undefined && inherited === undefined)
      fail(b, `bit "${b.arg}" is not in the base type ${spec.name}`);
    const p = subArg(b, 'position');
    const position = p === undefined ? (inherited?.position ?? next) : Number(p);
    if (!Number.isInteger(position) || position < 0 || position > 4294967295)
      fail(b, `bit "${b.arg}" position must be a uint32`);
    out.push({ name: b.arg!, position });
    next = Math.max(next, position + 1);
  }
  return out;
}
