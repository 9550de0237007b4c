import { describeWithPostgres } from '@fleetkit/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openGraphileWorker, openPgBoss, openPostgresFloor } from './peers.ts';

describeWithPostgres('benchmark peers of txqueue', (url) => {
  const admin = new pg.Client({ connectionString: url });
  beforeAll(() => admin.connect());
  afterAll(() => admin.end());

  it('a pg-boss cycle leaves its job completed on the lane’s own queue', async () => {
    const prefix = `peer_test_boss_${process.pid}`;
    const boss = await openPgBoss(url, 2, prefix);
    try {
      for (let i = 0; i < 3; i++) await Promise.all([boss.cycle(0), boss.cycle(1)]);
    } finally {
      await boss.close();
    }
    const { rows } = await admin.query<{ name: string; state: string; n: string }>(
      'SELECT name, state, count(*) AS n FROM pgboss.job WHERE name LIKE $1 GROUP BY name, state ORDER BY name',
      [`${prefix}_%`],
    );
    expect(rows.map((r) => [r.name, r.state, Number(r.n)])).toEqual([
      [`${prefix}_0`, 'completed', 3],
      [`${prefix}_1`, 'completed', 3],
    ]);
    expect(boss.emptyFetches).toBe(0);
  });

  it('a graphile-worker cycle ends only once its completion is committed', async () => {
    const prefix = `peer_test_gw_${process.pid}`;
    const worker = await openGraphileWorker(url, 2, prefix);
    const left = async (): Promise<number> => {
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${prefix}_graphile_worker._private_jobs`,
      );
      return Number(rows[0]!.n);
    };
    try {
      for (let i = 0; i < 5; i++) {
        await worker.cycle(i % 2);
        // the job's DELETE has committed when the cycle resolves
        expect(await left()).toBe(0);
      }
      const { rows } = await admin.query<{ name: string }>(
        `SELECT queue_name AS name FROM ${prefix}_graphile_worker._private_job_queues ORDER BY queue_name`,
      );
      // each lane its own named queue, as each lane of ours is its own device
      expect(rows.map((r) => r.name)).toEqual([`${prefix}-0`, `${prefix}-1`]);
    } finally {
      await worker.close();
    }
  });

  it('a floor cycle commits its row delivered, then complete', async () => {
    const prefix = `peer_test_${process.pid}`;
    const floor = await openPostgresFloor(url, 2, prefix);
    try {
      for (let i = 0; i < 3; i++) await Promise.all([floor.cycle(0), floor.cycle(1)]);
    } finally {
      await floor.close();
    }
    const { rows } = await admin.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM ${prefix}_floor_jobs GROUP BY state`,
    );
    expect(rows.map((r) => [r.state, Number(r.n)])).toEqual([['complete', 6]]);
  });
});
