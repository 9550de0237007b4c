import { describeWithPostgres } from '@fleetkit/core/testing';
import fc from 'fast-check';
import { it } from 'vitest';
import { opArb, runInterleaving } from '../test/interleavings.ts';
import { freshPostgres } from '../test/postgres-store.ts';

describeWithPostgres('txqueue under random interleavings (PostgreSQL)', (url) => {
  it('loses no transaction, finishes none twice, emits each final event once and keeps group parents consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const store = await freshPostgres(url);
        try {
          await runInterleaving(ops, store.driver);
        } finally {
          await store.dispose();
        }
      }),
      { numRuns: 15 },
    );
  }, 300_000);
});
