import { describe, expect, it } from 'vitest';
import { describeWithPostgres } from '../testing/postgres.ts';
import { describeSqlDriver } from '../testing/sql-driver-suite.ts';
import { openPostgres } from './postgres.ts';

describeWithPostgres('postgres adapter', (url) => {
  describeSqlDriver('postgres', () => openPostgres({ connectionString: url }));

  describe('LISTEN / NOTIFY', () => {
    it('delivers a notification sent inside a transaction only after commit', async () => {
      const db = openPostgres({ connectionString: url });
      const got: string[] = [];
      const unlisten = await db.listen('fleetkit_test', (p) => got.push(p));
      await db.transaction(async (tx) => {
        await db.notify('fleetkit_test', 'in-tx', tx);
        await new Promise((r) => setTimeout(r, 50));
        expect(got).toEqual([]);
      });
      await db.notify('fleetkit_test', 'direct');
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got).toEqual(['in-tx', 'direct']);
      await unlisten();
      await db.close();
    });
  });

  it('returns large int8 values exactly as bigint and safe ones as numbers', async () => {
    const db = openPostgres({ connectionString: url });
    const [row] = await db.query<{ a: unknown; b: unknown }>('SELECT 9007199254740993::int8 AS a, 5::int8 AS b');
    expect(row).toEqual({ a: 9007199254740993n, b: 5 });
    await db.close();
  });
});
