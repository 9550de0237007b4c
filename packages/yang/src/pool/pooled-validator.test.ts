import { InThreadPool } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import { packSchema, schemaHash, unpackSchema } from './pack.ts';
import { PooledValidator } from './pooled-validator.ts';

const repo = new ModuleRepository();
repo.add(
  'module p { namespace "urn:p"; prefix p; list e { key k; leaf k { type string; } leaf v { type uint8; must ". < 100"; } } }',
  'p.yang',
);
const schema = compileSchema(repo, ['p']);
const big = (bad: boolean): string =>
  JSON.stringify({
    'p:e': Array.from({ length: 2000 }, (_, i) => ({ k: `k${i}`, v: bad && i === 1999 ? 150 : i % 100 })),
  });

describe('PooledValidator', () => {
  it('validates large documents through the pool task and small ones in-thread, with the same results', async () => {
    const pool = new InThreadPool();
    const pooled = new PooledValidator(schema, { pool, threshold: 1024 });
    expect(await pooled.validate('config', big(false))).toEqual({ valid: true, issues: [] });
    const r = await pooled.validate('config', new TextEncoder().encode(big(true)));
    expect(r.issues.map((i) => i.path)).toEqual(["/p:e[k='k1999']/v"]);
    expect(await pooled.validate('config', '{"p:e":[{"k":"a","v":150}]}')).toMatchObject({
      valid: false,
      issues: [{ kind: 'must' }],
    });
    await pool.close();
  });

  it('reports malformed JSON as an issue on both paths', async () => {
    const pool = new InThreadPool();
    const pooled = new PooledValidator(schema, { pool, threshold: 4 });
    expect((await pooled.validate('config', '{"p:e": [')).issues[0]!.message).toMatch(/^Invalid JSON/);
    expect((await pooled.validate('config', '{')).issues[0]!.message).toMatch(/^Invalid JSON/);
    await pool.close();
  });
});

describe('packSchema', () => {
  it('round-trips a compiled schema through msgpackr', () => {
    expect(unpackSchema(packSchema(schema))).toEqual(schema);
  });

  it('hashes the same schema to the same SHA-256 and refuses foreign bytes', async () => {
    expect(await schemaHash(packSchema(schema))).toBe(await schemaHash(packSchema(compileSchema(repo, ['p']))));
    expect(() => unpackSchema(new Uint8Array([0xc0]))).toThrow(
      expect.objectContaining({ code: 'yang-invalid-schema' }),
    );
  });
});
