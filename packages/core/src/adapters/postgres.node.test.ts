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

  it('plans an unprepared statement for the table as it is now, not as it was at the first call', async () => {
    const db = openPostgres({ connectionString: url });
    const table = `unprepared_${process.pid}`;
    try {
      await db.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
      const sql = `EXPLAIN SELECT v FROM ${table} WHERE id = ANY(ARRAY(SELECT generate_series(1, 3)))`;
      const plan = async (): Promise<string> => (await db.queryUnprepared<{ 'QUERY PLAN': string }>(sql)).map((r) => r['QUERY PLAN']).join('\n');
      for (let i = 0; i < 6; i++) await plan();
      await db.exec(`INSERT INTO ${table} SELECT i, repeat('x', 200) FROM generate_series(1, 50000) i; ANALYZE ${table}`);
      expect(await plan()).toContain('Index');
      expect(await db.queryUnprepared<{ n: number }>('SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
    } finally {
      await db.exec(`DROP TABLE IF EXISTS ${table}`);
      await db.close();
    }
  });
});
