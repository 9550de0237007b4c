import { createPiscinaPool } from '@fleetkit/core/piscina';
import { expect, it } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import { PooledValidator } from './pooled-validator.ts';

it('validates on real worker threads with the schema cached per worker', async () => {
  const repo = new ModuleRepository();
  repo.add('module q { namespace "urn:q"; prefix q; leaf-list n { type int8; } }', 'q.yang');
  const pool = createPiscinaPool({ threads: 2 });
  try {
    const pooled = new PooledValidator(compileSchema(repo, ['q']), { pool, threshold: 0 });
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => pooled.validate('config', JSON.stringify({ 'q:n': [i, i === 4 ? 300 : i + 10] }))),
    );
    expect(results.map((r) => r.valid)).toEqual([true, true, true, false]);
    expect(results[3]!.issues[0]!.path).toBe('/q:n');
  } finally {
    await pool.close();
  }
});
