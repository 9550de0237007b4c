import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SeededRandom } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { DocumentGenerator, mutate } from '../../test/differential/generate.ts';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import type { CompiledSchema } from '../schema.ts';
import { type DocumentType, validatorFor } from './validator.ts';

// The fast paths (plain leaves and unreferenced list entries built only on
// demand, compiled `must`s, rules decided during the walk with a generic
// re-run when one fails) must give exactly the generic validator's result.

const fixtures = (sub: string): string => fileURLToPath(new URL(`../../test/fixtures/${sub}/`, import.meta.url));

function schemaOf(files: readonly [string, string][], modules: readonly string[]): CompiledSchema {
  const repo = new ModuleRepository();
  for (const [dir, f] of files) repo.add(readFileSync(fixtures(dir) + f, 'utf8'), f);
  return compileSchema(repo, modules, { features: '*' });
}

function same(schema: CompiledSchema, type: DocumentType, docs: readonly unknown[]): void {
  const fast = validatorFor(schema, true);
  const generic = validatorFor(schema, false);
  for (const doc of docs)
    expect({ doc, result: fast.validate(type, doc) }).toEqual({ doc, result: generic.validate(type, doc) });
}

const FP = `module fp {
  yang-version 1.1;
  namespace "urn:fp";
  prefix fp;
  container top {
    leaf mode { type enumeration { enum a; enum b; } default a; }
    leaf limit { type uint8; default 3; }
    list item {
      key name;
      unique "val";
      leaf name { type string { pattern '[a-d]'; } }
      leaf val { type uint8 { range "0..9"; } }
      leaf flag { type boolean; }
      leaf peer { type leafref { path "../../item/name"; } must "../val != 7 or ../flag = 'true'"; }
      leaf note { type string; must "../../mode = 'a' or . != 'x'"; }
      leaf w { type uint8; must ". < ../../limit"; }
      leaf d { type uint8; default 5; }
      leaf both { type uint8; must "../d = 5 and not(../val > 8)"; }
    }
    list other {
      key id;
      leaf id { type uint8 { range "1..4"; } }
      leaf ref { type leafref { path "../../item/name"; } }
      leaf c { type string; when "../../mode = 'b'"; }
      leaf self { type leafref { path "../../other/id"; } must "../id != 3"; }
    }
    leaf total { type uint8; must "count(../item) <= 3 or ../mode = 'b'"; }
    leaf-list tags { type string; must ". != 'bad'"; }
    leaf pick { type leafref { path "../item[name = current()/../mode]/val"; require-instance false; } }
    leaf first { type string; must "string(../item) != 'zzz'"; }
    container state { config false; leaf s { type uint8; } }
  }
}`;

describe('fast paths beside the generic validator', () => {
  const sets: {
    name: string;
    files: [string, string][];
    modules: string[];
    roots: string[];
    /** RPCs, actions (schema path) and notifications: invocations, replies and notifications of each are compared. */
    operations?: { type: 'rpc' | 'rpc-reply' | 'notification'; id: string }[];
  }[] = [
    {
      name: 'fleetkit test modules',
      files: [
        ['modules', 'fk-types.yang'],
        ['modules', 'fk-net.yang'],
        ['modules', 'fk-dev.yang'],
      ],
      modules: ['fk-types', 'fk-net', 'fk-dev'],
      roots: ['fk-types', 'fk-net', 'fk-dev'],
      operations: [
        { type: 'rpc', id: 'fk-net:reboot' },
        { type: 'notification', id: 'fk-net:alarm' },
      ],
    },
    {
      name: 'fleetkit operations module',
      files: [['modules', 'fk-ops.yang']],
      modules: ['fk-ops'],
      roots: ['fk-ops'],
      operations: [
        { type: 'rpc', id: 'fk-ops:apply' },
        { type: 'rpc-reply', id: 'fk-ops:apply' },
        { type: 'rpc', id: '/fk-ops:device/port/reset' },
        { type: 'rpc-reply', id: '/fk-ops:device/port/reset' },
        { type: 'notification', id: 'fk-ops:audit' },
        { type: 'notification', id: '/fk-ops:device/port/flapped' },
      ],
    },
    {
      name: 'ietf-interfaces + ietf-ip',
      files: [
        ['ietf', 'ietf-interfaces@2018-02-20.yang'],
        ['ietf', 'ietf-ip@2018-02-22.yang'],
        ['ietf', 'iana-if-type@2014-05-08.yang'],
        ['ietf', 'ietf-yang-types@2013-07-15.yang'],
        ['ietf', 'ietf-inet-types@2013-07-15.yang'],
      ],
      modules: ['ietf-interfaces@2018-02-20', 'ietf-ip@2018-02-22', 'iana-if-type'],
      roots: ['ietf-interfaces'],
    },
    {
      name: 'ietf-system + ietf-netconf-acm',
      files: [
        ['ietf', 'ietf-system@2014-08-06.yang'],
        ['ietf', 'ietf-netconf-acm@2018-02-14.yang'],
        ['ietf', 'ietf-yang-types@2013-07-15.yang'],
        ['ietf', 'ietf-inet-types@2013-07-15.yang'],
        ['ietf', 'iana-crypt-hash@2014-08-06.yang'],
      ],
      modules: ['ietf-system', 'ietf-netconf-acm'],
      roots: ['ietf-system', 'ietf-netconf-acm'],
    },
    {
      name: 'ietf-routing',
      files: [
        ['ietf', 'ietf-interfaces@2018-02-20.yang'],
        ['ietf', 'ietf-routing@2018-03-13.yang'],
        ['ietf', 'ietf-ipv4-unicast-routing@2018-03-13.yang'],
        ['ietf', 'iana-if-type@2014-05-08.yang'],
        ['ietf', 'ietf-yang-types@2013-07-15.yang'],
        ['ietf', 'ietf-inet-types@2013-07-15.yang'],
      ],
      modules: ['ietf-routing', 'ietf-ipv4-unicast-routing', 'iana-if-type'],
      roots: ['ietf-routing', 'ietf-interfaces'],
    },
    {
      name: 'Exosense test.yang',
      files: [
        ['exosense', 'test.yang'],
        ['exosense', 'exosense.yang'],
      ],
      modules: ['test'],
      roots: ['test'],
      operations: [{ type: 'rpc', id: 'test:echo' }],
    },
  ];
  for (const set of sets) {
    it(`gives the generic result on generated valid and mutated documents for ${set.name}`, () => {
      const schema = schemaOf(set.files, set.modules);
      const gen = new DocumentGenerator(schema, new SeededRandom(7));
      const r = new SeededRandom(11);
      const pick = <T>(i: number, base: T): T => (i % 2 === 0 ? base : (mutate(base as never, r) as T));
      same(
        schema,
        'config',
        Array.from({ length: 120 }, (_, i) => pick(i, gen.config(set.roots))),
      );
      same(
        schema,
        'data',
        Array.from({ length: 40 }, (_, i) => pick(i, gen.data(set.roots))),
      );
      for (const op of set.operations ?? [])
        same(
          schema,
          op.type,
          Array.from({ length: 40 }, (_, i) => pick(i, gen.operation(op.id, op.type === 'rpc-reply'))),
        );
    });
  }

  const repo = new ModuleRepository();
  repo.add(FP, 'fp.yang');
  const fp = compileSchema(repo, ['fp']);

  it('gives the generic result on generated documents for a module of early, compiled and navigating rules', () => {
    const gen = new DocumentGenerator(fp, new SeededRandom(3));
    const r = new SeededRandom(5);
    const docs = Array.from({ length: 600 }, (_, i) =>
      i % 2 === 0 ? gen.config(['fp']) : mutate(gen.config(['fp']) as never, r),
    );
    same(fp, 'config', docs);
    same(fp, 'data', docs);
  });

  const item = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, ...extra });
  const doc = (top: Record<string, unknown>): unknown => ({ 'fp:top': top });
  const cases: [string, unknown][] = [
    [
      'valid early leafrefs and musts',
      doc({ item: [item('a', { peer: 'b', val: 7, flag: true }), item('b', { peer: 'a', val: 1 })] }),
    ],
    ['a dangling early leafref', doc({ item: [item('a', { peer: 'c' }), item('b', { peer: 'a' })] })],
    ['a failing early must', doc({ item: [item('a', { peer: 'a', val: 7, flag: false })] })],
    ['an early must on a sibling with a bad value', doc({ item: [item('a', { peer: 'a', val: 'x' })] })],
    [
      'an early leaf with a bad value whose must fails',
      doc({ item: [item('a', { peer: 5, val: 7, flag: false }), item('b', { peer: 'a' })] }),
    ],
    [
      'an early leafref to a key of the wrong type',
      doc({ item: [item('a', { peer: 'a' }), item(5 as unknown as string, { peer: 'b' })] }),
    ],
    [
      'an early leafref beside an entry missing its key',
      doc({ item: [item('a', { peer: 'a' }), { peer: 'a', val: 1 }] }),
    ],
    ['early leafrefs with duplicate keys', doc({ item: [item('a', { peer: 'a' }), item('a', { peer: 'b' })] })],
    [
      'the list under both member names',
      doc({ item: [item('a', { peer: 'b' })], 'fp:item': [item('b', { peer: 'a' })] }),
    ],
    ['a compiled must reading a default', doc({ item: [item('a', { both: 1 }), item('b', { both: 1, d: 4 })] })],
    [
      'generic rules walking into entries that were left out',
      doc({ item: [item('a'), item('b'), item('c'), item('d')], total: 1, first: 'x', mode: 'a', pick: 1 }),
    ],
    [
      'a when on an entry leaf',
      doc({
        mode: 'b',
        other: [
          { id: 1, c: 'x', ref: 'a', self: 1 },
          { id: 3, self: 9 },
        ],
        item: [item('a')],
      }),
    ],
    ['a leaf-list with a must', doc({ tags: ['ok', 'bad'] })],
    ['state data in configuration', doc({ state: { s: 1 }, item: [item('a', { peer: 'a' })] })],
    [
      'unique values in entries that stay out of the tree',
      doc({ item: [item('a', { val: 2 }), item('b', { val: 2 })] }),
    ],
  ];
  for (const [name, d] of cases) {
    it(`gives the generic result for ${name}`, () => {
      same(fp, 'config', [d]);
      same(fp, 'data', [d]);
    });
  }

  it('reads each entry by its own member names when entries list them in different orders', () => {
    const d = doc({
      item: [
        { name: 'a', val: 1, flag: true },
        { flag: 'x', name: 'b', val: 2 },
        { val: 3, bogus: 1, name: 'c' },
        { name: 'd', val: 300 },
      ],
    });
    same(fp, 'config', [d]);
    expect(
      validatorFor(fp, true)
        .validateConfig(d)
        .issues.map((i) => [i.kind, i.path]),
    ).toEqual([
      // a key that comes after the bad member is not in its path yet (as on the generic path)
      ['type', '/fp:top/item/flag'],
      ['unknown', '/fp:top/item'],
      ['range', "/fp:top/item[name='d']/val"],
    ]);
  });

  it('reports a dangling early leafref and a failing early must at their nodes', () => {
    const v = validatorFor(fp, true);
    const r = v.validateConfig(
      doc({ item: [item('a', { peer: 'd', val: 7, flag: false }), item('b', { peer: 'a', flag: true })] }),
    );
    expect(r.issues.map((i) => [i.kind, i.path])).toEqual([
      ['must', "/fp:top/item[name='a']/peer"],
      ['leafref', "/fp:top/item[name='a']/peer"],
    ]);
  });
});
