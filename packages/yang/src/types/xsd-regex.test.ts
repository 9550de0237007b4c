import { describe, expect, it } from 'vitest';
import { xsdToJs } from './xsd-regex.ts';

const re = (xsd: string): RegExp => new RegExp(xsdToJs(xsd), 'u');

describe('xsdToJs (XSD regular expressions, RFC 7950 §9.4.5)', () => {
  it('anchors the whole value implicitly', () => {
    expect(re('[a-z]+').test('abc')).toBe(true);
    expect(re('[a-z]+').test('abc1')).toBe(false);
  });

  it('treats ^ and $ as literal characters', () => {
    expect(re('$0$.*').test('$0$abc')).toBe(true);
    expect(re('a^b').test('a^b')).toBe(true);
  });

  it('matches Unicode categories (needs the u flag: ietf-inet-types zone ids)', () => {
    expect(re('\\p{L}+').test('héllo')).toBe(true);
    expect(re('[\\p{N}\\p{L}]+').test('eth0')).toBe(true);
    expect(re('\\P{L}+').test('123')).toBe(true);
  });

  it('expands \\i, \\c, \\d, \\w and \\s', () => {
    expect(re('\\i\\c*').test('_x-1.y')).toBe(true);
    expect(re('\\i\\c*').test('1x')).toBe(false);
    expect(re('\\d+').test('٣')).toBe(true);
    expect(re('\\w+').test('a,b')).toBe(false);
    expect(re('a\\sb').test('a\tb')).toBe(true);
  });

  it('supports character class subtraction', () => {
    expect(re('[a-z-[aeiou]]+').test('bcd')).toBe(true);
    expect(re('[a-z-[aeiou]]+').test('bad')).toBe(false);
  });

  it('lets "." match anything but CR and LF', () => {
    expect(re('a.c').test('a\u2028c')).toBe(true);
    expect(re('a.c').test('a\nc')).toBe(false);
  });

  it('compiles the ietf-inet-types ipv4-address pattern and matches zones', () => {
    const ipv4 =
      '(([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])(%[\\p{N}\\p{L}]+)?';
    expect(re(ipv4).test('10.0.0.1%eth0')).toBe(true);
    expect(re(ipv4).test('10.0.0.256')).toBe(false);
  });

  it('rejects escapes and blocks it cannot translate exactly', () => {
    expect(() => xsdToJs('\\q')).toThrow(/unknown escape/);
    expect(() => xsdToJs('\\p{IsKlingon}')).toThrow(/unsupported Unicode block/);
    expect(() => xsdToJs('(a')).toThrow(/missing "\)"/);
  });
});
