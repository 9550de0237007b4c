import { SeededRandom } from '@fleetkit/core';
import { describe, expect, it, vi } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import { hashOf, KeyIndex } from './key-index.ts';
import { validatorFor } from './validator.ts';

function indexOf(keys: readonly string[], refs: readonly string[]): KeyIndex {
  const index = new KeyIndex(4, 4);
  for (const k of keys) index.addKey(k);
  for (const r of refs) index.addReference(r);
  return index;
}

describe('KeyIndex', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `k-${i}`);
  const random = new SeededRandom(42);
  const refs = Array.from({ length: 30_000 }, () => keys[random.int(keys.length)]!);

  it('accepts distinct keys whose references are all among them, across many partitions', () => {
    expect(indexOf(keys, refs).settle()).toBe(true);
    expect(indexOf(keys.slice(0, 3), ['k-2', 'k-0']).settle()).toBe(true);
    expect(indexOf([], []).settle()).toBe(true);
  });

  it('refuses a repeated key wherever it is', () => {
    for (const at of [0, 511, 10_000, 19_999]) expect(indexOf([...keys, keys[at]!], refs).settle()).toBe(false);
    expect(indexOf(['a', 'a'], []).settle()).toBe(false);
  });

  it('refuses a reference that is not a key, including one that differs only in case or length', () => {
    for (const missing of ['k-20000', 'K-1', 'k-1 ', 'k-', ''])
      expect(indexOf(keys, [...refs.slice(0, 5_000), missing, ...refs.slice(5_000)]).settle()).toBe(false);
  });

  it('compares whole values, not hashes: strings built at run time match the parsed keys', () => {
    const parsed = JSON.parse(JSON.stringify(keys)) as string[];
    const built = keys.map((k) => ['k', k.slice(2)].join('-'));
    expect(indexOf(parsed, built).settle()).toBe(true);
  });

  it('answers has() for other leafrefs into the list', () => {
    const index = indexOf(keys, []);
    expect(index.settle()).toBe(true);
    expect([index.has('k-7'), index.has('k-20000')]).toEqual([true, false]);
  });

  it('decides keys crafted to share a partition with a Set, with the same answers', () => {
    // 20k keys make 64 partitions (the top 6 bits of the hash); a quarter of them crafted into partition 0
    const crafted: string[] = [];
    for (let i = 0; crafted.length < 5_000; i++) if (hashOf(`c-${i}`) >>> 26 === 0) crafted.push(`c-${i}`);
    const mixed = [...crafted, ...keys.slice(0, 15_000)];
    const refsOf = [...crafted.slice(0, 100), ...refs.filter((r) => Number(r.slice(2)) < 15_000)];
    const accepted = indexOf(mixed, refsOf);
    expect([accepted.settle(), accepted.decidedBySet]).toEqual([true, true]);
    expect(accepted.has(crafted[7]!)).toBe(true);
    expect(indexOf([...mixed, crafted[4_999]!], refsOf).settle()).toBe(false);
    expect(indexOf(mixed, [...refsOf, 'c-nope']).settle()).toBe(false);
    // keys that only happen to be many are still joined by partitions
    const ordinary = indexOf(keys, refs);
    expect([ordinary.settle(), ordinary.decidedBySet]).toEqual([true, false]);
  });

  it('seeds its hash without the crypto global (its first use loads WebCrypto on Node)', async () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', {
      configurable: true,
      get() {
        throw new Error('the key index touched globalThis.crypto');
      },
    });
    try {
      vi.resetModules();
      const fresh = await import('./key-index.ts');
      expect(typeof fresh.hashOf('k-1')).toBe('number');
    } finally {
      if (crypto !== undefined) Object.defineProperty(globalThis, 'crypto', crypto);
    }
  });
});

// On the fast path a large single-key list is decided by the index when it
// ends; a repeated key or a dangling early leafref sends the document to the
// generic path. Both must give exactly the generic validator's result.
const BIG = `module big {
  yang-version 1.1;
  namespace "urn:big";
  prefix b;
  container top {
    list dev {
      key id;
      leaf id { type string { pattern '[a-z][a-z0-9-]*'; } }
      leaf port { type uint16; }
      leaf peer { type leafref { path "../../dev/id"; } must "../port != 8080"; }
    }
    list use {
      key n;
      leaf n { type uint16; }
      leaf dev { type leafref { path "../../dev/id"; } }
    }
  }
}`;

describe('large lists on the fast path beside the generic validator', () => {
  const repo = new ModuleRepository();
  repo.add(BIG, 'big.yang');
  const schema = compileSchema(repo, ['big']);
  const fast = validatorFor(schema, true);
  const generic = validatorFor(schema, false);
  const n = 3_000;
  const devs = (): Record<string, unknown>[] =>
    Array.from({ length: n }, (_, i) => ({ id: `d-${i}`, port: i % 100, peer: `d-${(i * 7919) % n}` }));
  const doc = (dev: unknown[], use: unknown[] = [{ n: 1, dev: 'd-5' }]): unknown => ({ 'big:top': { dev, use } });
  const same = (d: unknown): void => expect(fast.validateConfig(d)).toEqual(generic.validateConfig(d));

  it('accepts a valid list of 3,000 entries', () => {
    expect(fast.validateConfig(doc(devs()))).toEqual({ valid: true, issues: [] });
  });

  it('gives the generic issues for a dangling early leafref, a repeated key, and both', () => {
    const dangling = devs();
    dangling[1_234]!.peer = 'd-nope';
    same(doc(dangling));
    expect(fast.validateConfig(doc(dangling)).issues.map((i) => [i.kind, i.path])).toEqual([
      ['leafref', "/big:top/dev[id='d-1234']/peer"],
    ]);
    const repeated = devs();
    repeated[2_999]!.id = 'd-17';
    same(doc(repeated));
    expect(fast.validateConfig(doc(repeated)).issues.map((i) => i.kind)).toContain('duplicate');
    const both = devs();
    both[10]!.id = 'd-11';
    both[20]!.peer = 'x';
    same(doc(both));
  });

  it('gives the generic result for leafrefs from another list into the indexed keys', () => {
    same(
      doc(devs(), [
        { n: 1, dev: 'd-2999' },
        { n: 2, dev: 'd-3000' },
      ]),
    );
    expect(fast.validateConfig(doc(devs(), [{ n: 2, dev: 'd-3000' }])).issues.map((i) => [i.kind, i.path])).toEqual([
      ['leafref', "/big:top/use[n='2']/dev"],
    ]);
  });
});
