import { describe, expect, it } from 'vitest';
import { YangError } from '../errors.ts';
import type { SchemaNode } from '../schema.ts';
import { addNode, type DataNode } from './data-node.ts';
import { evaluate, toBoolean, toText, type XPathContext } from './eval.ts';
import { parseXPath } from './parse.ts';

const names = { defaultModule: 'm', prefix: (p: string) => (p === 'm' ? 'm' : p === 'o' ? 'other' : undefined) };
const leaf = (type: SchemaNode['type']): SchemaNode => ({
  kind: 'leaf',
  name: 'x',
  module: 'm',
  config: true,
  ...(type === undefined ? {} : { type }),
});

// /m:top { a: 3, b: 'x', item[k=1]{v:10}, item[k=2]{v:20}, color: green, perms: 'read exec', kind: m:tls }
function tree(): { root: DataNode; top: DataNode; items: DataNode[] } {
  const root = addNode(undefined, undefined, '', '');
  const top = addNode(root, undefined, 'top', 'm');
  addNode(top, undefined, 'a', 'm', '3');
  addNode(top, undefined, 'b', 'm', 'x');
  const items = [1, 2].map((k) => {
    const e = addNode(top, { kind: 'list', name: 'item', module: 'm', config: true, keys: ['k'] }, 'item', 'm');
    addNode(e, undefined, 'k', 'm', String(k));
    addNode(e, undefined, 'v', 'm', String(k * 10));
    return e;
  });
  addNode(
    top,
    leaf({
      base: 'enumeration',
      name: 'enumeration',
      enums: [
        { name: 'red', value: 0 },
        { name: 'green', value: 7 },
      ],
    }),
    'color',
    'm',
    'green',
  );
  addNode(
    top,
    leaf({
      base: 'bits',
      name: 'bits',
      bits: [
        { name: 'read', position: 0 },
        { name: 'exec', position: 2 },
      ],
    }),
    'perms',
    'm',
    'read exec',
  );
  addNode(top, leaf({ base: 'identityref', name: 'identityref', bases: ['m:proto'] }), 'kind', 'm', 'm:tls');
  addNode(top, leaf({ base: 'leafref', name: 'leafref', path: parseXPath('../item/k', names) }), 'pick', 'm', '2');
  return { root, top, items };
}

const cx = (current: DataNode): XPathContext => ({
  current,
  derived: (id) => (id === 'm:proto' ? new Set(['m:tcp', 'm:tls']) : id === 'm:tcp' ? new Set(['m:tls']) : undefined),
  regex: (xsd) => new RegExp(`^(?:${xsd})$`, 'u'),
});
const run = (src: string, at?: (t: ReturnType<typeof tree>) => DataNode): unknown => {
  const t = tree();
  const node = at?.(t) ?? t.top;
  const v = evaluate(parseXPath(src, names), node, cx(node));
  return Array.isArray(v) ? v.map((n) => n.value ?? n.name) : v;
};

describe('XPath 1.0 evaluation', () => {
  it('follows child, parent, self and absolute paths', () => {
    expect(run('a')).toEqual(['3']);
    expect(run('/m:top/m:a')).toEqual(['3']);
    expect(run('item/v', (t) => t.top)).toEqual(['10', '20']);
    expect(run('../a', (t) => t.items[0]!)).toEqual(['3']);
    expect(run('.', (t) => t.items[1]!)).toEqual(['item']);
  });

  it('filters by predicates, positions and key equality', () => {
    expect(run('item[k = 2]/v')).toEqual(['20']);
    expect(run('item[2]/v')).toEqual(['20']);
    expect(run('item[last()]/k')).toEqual(['2']);
    expect(run('item[k = current()/a - 1]/v')).toEqual(['20']);
  });

  it('compares node-sets existentially and converts per §3.4', () => {
    expect(run('item/v = 20')).toBe(true);
    expect(run('item/v != 10')).toBe(true);
    expect(run('item/v > 15')).toBe(true);
    expect(run("b = 'x'")).toBe(true);
    expect(run('missing = false()')).toBe(true);
  });

  it('does arithmetic and boolean logic with operator names disambiguated', () => {
    expect(run('a * 2 + 1')).toBe(7);
    expect(run('a div 2')).toBe(1.5);
    expect(run('a mod 2')).toBe(1);
    expect(run('-a')).toBe(-3);
    expect(run('a > 2 and b = "x" or false()')).toBe(true);
  });

  it('implements the core string and number functions', () => {
    expect(run("concat(b, '-', a)")).toBe('x-3');
    expect(run("substring('12345', 2, 3)")).toBe('234');
    expect(run("translate('abc', 'ab', 'B')")).toBe('Bc');
    expect(run("normalize-space('  a   b ')")).toBe('a b');
    expect(run('count(item)')).toBe(2);
    expect(run('sum(item/v)')).toBe(30);
    expect(run("string-length('héllo')")).toBe(5);
    expect(run("starts-with('abc', 'ab') and contains('abc', 'c')")).toBe(true);
    expect(run('round(2.5) + floor(1.7) + ceiling(1.2)')).toBe(6);
  });

  it('implements current, deref, derived-from, re-match, enum-value and bit-is-set', () => {
    expect(run('current()/a')).toEqual(['3']);
    expect(run('deref(pick)/../v')).toEqual(['20']);
    expect(run("derived-from(kind, 'm:proto')")).toBe(true);
    expect(run("derived-from(kind, 'm:tls')")).toBe(false);
    expect(run("derived-from-or-self(kind, 'm:tls')")).toBe(true);
    expect(run("re-match(b, '[a-z]')")).toBe(true);
    expect(run('enum-value(color)')).toBe(7);
    expect(run("bit-is-set(perms, 'exec') and not(bit-is-set(perms, 'write'))")).toBe(true);
  });

  it('converts results with boolean() and string()', () => {
    expect(toBoolean([])).toBe(false);
    expect(toText(1.5)).toBe('1.5');
    expect(toText(NaN)).toBe('NaN');
  });

  it('rejects unknown functions, prefixes and bad syntax with a YangError', () => {
    for (const bad of ['nope()', 'q:a', 'a[', '1 +', "'open"]) {
      expect(() => parseXPath(bad, names)).toThrow(YangError);
    }
    expect(() => parseXPath('concat(a)', names)).toThrow(/takes 2\.\.Infinity arguments/);
  });

  it('resolves prefixed literals compared with identityrefs to module names', () => {
    expect(run("kind = 'm:tls'")).toBe(true);
  });
});
