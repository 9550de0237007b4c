import fc from 'fast-check';
import { describe, it } from 'vitest';
import { opArb, runInterleaving } from '../test/interleavings.ts';
import { memoryStorage } from './storage.ts';

describe('txqueue under random interleavings (memory)', () => {
  it('loses no transaction, finishes none twice, emits each final event once and keeps group parents consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), async (ops) => {
        const db = memoryStorage();
        try {
          await runInterleaving(ops, db);
        } finally {
          await db.close();
        }
      }),
      { numRuns: 80 },
    );
  });
});
