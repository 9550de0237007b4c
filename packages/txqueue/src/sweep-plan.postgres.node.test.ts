// The once-a-second sweep on PostgreSQL (src/dialects/postgres/sweep.ts) must find
// its locked rows by TID lookups whatever the table looked like when a
// connection prepared the statement: its generic plan is kept for the
// connection's life.
import { silentLogger } from '@fleetkit/core';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';
import { freshPostgres } from '../test/postgres-store.ts';
import { JOINS_OFF, sweepSql } from './dialects/postgres/sweep.ts';
import { openTxQueue } from './queue.ts';

const COLUMNS = ['deadline', 'cancel_deadline'] as const;

describeWithPostgres('txqueue sweep plan on PostgreSQL', (url) => {
  it('updates the due rows by TID lookups in generic plans made on an empty table and on 100k rows', async () => {
    const store = await freshPostgres(url);
    const queue = await openTxQueue({ storage: store.driver, logger: silentLogger });
    await queue.close();
    const plans = async (label: string): Promise<string[]> =>
      store.driver.transaction(async (tx) => {
        await tx.run('SET LOCAL plan_cache_mode = force_generic_plan');
        const out: string[] = [];
        for (const column of COLUMNS) {
          // as timeOutDuePostgres plans it
          await tx.query(JOINS_OFF);
          await tx.run(`PREPARE sweep_${label}_${column}(bigint) AS ${sweepSql(column, 1000)}`);
          const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE sweep_${label}_${column}(5)`);
          await tx.run(`DEALLOCATE sweep_${label}_${column}`);
          out.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
        }
        return out;
      });
    const expectLookups = (plan: string): void => {
      // the updated rows come from a TID scan driven by the picked ctids; no
      // scan of the table or of its open rows filtered by ctid
      expect(plan).toMatch(/Tid Scan on txq_tx t\b[^\n]*\n\s*TID Cond: \(ctid = due\.ctid\)/);
      expect(plan).not.toMatch(/Seq Scan on txq_tx/);
      expect(plan).not.toMatch(/Filter: [^\n]*ctid/);
    };
    try {
      for (const plan of await plans('empty')) expectLookups(plan);
      // 100k rows: half finished, half open (a quarter with a cancel deadline), none due
      await store.driver.exec(`INSERT INTO txq_tx (target, id, kind, state, status, deadline, cancel_deadline, created_at, updated_at, finished_at)
        SELECT 'd:' || (i % 500), i, 'rpc', CASE WHEN i % 2 = 0 THEN 'complete' ELSE 'queued' END, 'accepted', 1000000 + i,
          CASE WHEN i % 4 = 1 THEN 1000000 + i END, 0, 0, CASE WHEN i % 2 = 0 THEN 1 END FROM generate_series(1, 100000) i`);
      for (const plan of await plans('grown')) expectLookups(plan);
      await store.driver.exec('ANALYZE txq_tx');
      for (const plan of await plans('analyzed')) expectLookups(plan);
    } finally {
      await store.dispose();
    }
  });
});
