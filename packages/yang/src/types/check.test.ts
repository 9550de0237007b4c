import { describe, expect, it } from 'vitest';
import type { TypeSpec } from '../schema.ts';
import { compileCheck } from './check.ts';
import { xsdToJs } from './xsd-regex.ts';

const identities = { 'm:proto': { bases: [], derived: ['m:tcp'] }, 'm:tcp': { bases: ['m:proto'], derived: [] } };
const check = (t: TypeSpec) =>
  compileCheck(t, { module: 'm', identities, implemented: new Set(['m']), regex: (js) => new RegExp(js, 'u') });
const ok = (t: TypeSpec, v: unknown): unknown => check(t)(v);
const fails = (t: TypeSpec, v: unknown): boolean => typeof check(t)(v) !== 'string';

describe('RFC 7951 value checks', () => {
  it('wants JSON numbers for 8- to 32-bit integers and strings for 64-bit ones', () => {
    expect(ok({ base: 'uint16', name: 'uint16' }, 80)).toBe('80');
    expect(fails({ base: 'uint16', name: 'uint16' }, '80')).toBe(true);
    expect(fails({ base: 'uint8', name: 'uint8' }, 1.5)).toBe(true);
    expect(ok({ base: 'int64', name: 'int64' }, '-9223372036854775808')).toBe('-9223372036854775808');
    expect(fails({ base: 'int64', name: 'int64' }, 5)).toBe(true);
    expect(fails({ base: 'uint64', name: 'uint64' }, '18446744073709551616')).toBe(true);
    expect(ok({ base: 'uint64', name: 'uint64' }, '18446744073709551615')).toBe('18446744073709551615');
  });

  it('reads 64-bit integers of up to 15 digits without BigInt and agrees with the exact path at the boundary', () => {
    const u: TypeSpec = { base: 'uint64', name: 'uint64' };
    const i: TypeSpec = {
      base: 'int64',
      name: 'int64',
      range: [['-5', '999999999999999']],
      rangeText: '-5..999999999999999',
    };
    expect(ok(u, '007')).toBe('7');
    expect(ok(u, '+12')).toBe('12');
    expect(ok(i, '-0')).toBe('0');
    expect(ok(i, '999999999999999')).toBe('999999999999999');
    expect(check(i)('1000000000000000')).toMatchObject({ kind: 'range' });
    expect(check(i)('-6')).toMatchObject({ kind: 'range' });
    expect(ok(u, '1234567890123456')).toBe('1234567890123456');
    for (const bad of ['', '+', '-', '1.0', '1e3', ' 1', '1 ', '\u0661', '0x10', '--1'])
      expect(fails(u, bad)).toBe(true);
  });

  it('checks ranges with several parts exactly', () => {
    const t: TypeSpec = {
      base: 'uint16',
      name: 'port',
      range: [
        ['1', '1024'],
        ['8080', '8080'],
      ],
      rangeText: '1..1024 | 8080',
    };
    expect(ok(t, 8080)).toBe('8080');
    expect(check(t)(2000)).toMatchObject({ kind: 'range', expected: 'uint16 in 1..1024 | 8080' });
    const big: TypeSpec = { base: 'int64', name: 'int64', range: [['9007199254740993', '9007199254740993']] };
    expect(ok(big, '9007199254740993')).toBe('9007199254740993');
    expect(fails(big, '9007199254740992')).toBe(true);
  });

  it('keeps decimal64 exact, limits fraction digits and returns the canonical form', () => {
    const t: TypeSpec = { base: 'decimal64', name: 'decimal64', fractionDigits: 2, range: [['-150', '10000']] };
    expect(ok(t, '1.50')).toBe('1.5');
    expect(ok(t, '007')).toBe('7.0');
    expect(ok(t, '-1.5')).toBe('-1.5');
    expect(fails(t, '1.234')).toBe(true);
    expect(fails(t, '100.01')).toBe(true);
    expect(fails(t, 1.5)).toBe(true);
  });

  it('encodes empty as [null], and checks booleans, enums and bits', () => {
    expect(ok({ base: 'empty', name: 'empty' }, [null])).toBe('');
    expect(fails({ base: 'empty', name: 'empty' }, null)).toBe(true);
    expect(fails({ base: 'boolean', name: 'boolean' }, 'true')).toBe(true);
    expect(fails({ base: 'enumeration', name: 'e', enums: [{ name: 'a', value: 0 }] }, 'b')).toBe(true);
    const bits: TypeSpec = {
      base: 'bits',
      name: 'b',
      bits: [
        { name: 'r', position: 0 },
        { name: 'x', position: 2 },
      ],
    };
    expect(ok(bits, 'x r')).toBe('r x');
    expect(fails(bits, 'r r')).toBe(true);
    expect(fails(bits, 'w')).toBe(true);
  });

  it('checks base64 binary and its decoded length', () => {
    const t: TypeSpec = { base: 'binary', name: 'binary', length: [[1, 2]] };
    expect(ok(t, 'AQI=')).toBe('AQI=');
    expect(fails(t, 'AQID')).toBe(true);
    expect(fails(t, 'A')).toBe(true);
  });

  it('counts string length in characters and applies every pattern, inverted ones too', () => {
    const t: TypeSpec = {
      base: 'string',
      name: 's',
      length: [[1, 3]],
      patterns: [
        { xsd: '[a-zé]+', js: xsdToJs('[a-zé]+'), invert: false },
        { xsd: 'bad', js: xsdToJs('bad'), invert: true },
      ],
    };
    expect(ok(t, 'éé')).toBe('éé');
    expect(check(t)('abcd')).toMatchObject({ kind: 'length' });
    expect(check(t)('bad')).toMatchObject({ kind: 'pattern' });
  });

  it('matches unions by JSON type in member order', () => {
    const t: TypeSpec = {
      base: 'union',
      name: 'u',
      union: [
        { base: 'int8', name: 'int8' },
        { base: 'string', name: 'string' },
      ],
    };
    expect(ok(t, 5)).toBe('5');
    expect(ok(t, '5')).toBe('5');
    expect(fails(t, 500)).toBe(true);
  });

  it('accepts identities derived from the base, qualified or in the leaf module', () => {
    const t: TypeSpec = { base: 'identityref', name: 'i', bases: ['m:proto'] };
    expect(ok(t, 'm:tcp')).toBe('m:tcp');
    expect(ok(t, 'tcp')).toBe('m:tcp');
    expect(fails(t, 'm:proto')).toBe(true);
    expect(fails(t, 'm:udp')).toBe(true);
  });

  it('checks instance-identifier syntax', () => {
    const t: TypeSpec = { base: 'instance-identifier', name: 'ii' };
    expect(ok(t, "/m:top/list[name='x']/leaf")).toBe("/m:top/list[name='x']/leaf");
    expect(fails(t, '/top')).toBe(true);
    expect(fails(t, 'm:top')).toBe(true);
  });
});
