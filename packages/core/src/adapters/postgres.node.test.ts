import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../logger.ts';
import { ManualClock } from '../manual-clock.ts';
import { describeWithPostgres } from '../testing/postgres.ts';
import { describeSqlDriver } from '../testing/sql-driver-suite.ts';
import { openPostgres, type PostgresDriver } from './postgres.ts';

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
      await vi.waitFor(() => expect(got).toEqual(['in-tx', 'direct']), { timeout: 20_000, interval: 10 });
      await unlisten();
      await db.close();
    });
  });

  describe('a LISTEN that outlives its connection', () => {
    /** Polls until `check` holds, advancing `clock` so a waiting attempt runs; the test fails by timeout otherwise. */
    async function eventually(check: () => boolean, clock?: ManualClock): Promise<void> {
      while (!check()) {
        clock?.advance(1000);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    /** Ends the backend listening on `channel` for `application`, as an operator or a restart would. */
    async function terminateListener(admin: PostgresDriver, application: string, channel: string): Promise<number> {
      const [row] = await admin.query<{ pid: number; ended: boolean }>(
        `SELECT pid, pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity
          WHERE application_name = $1 AND query = $2`,
        [application, `LISTEN "${channel}"`],
      );
      expect(row?.ended).toBe(true);
      return row!.pid;
    }

    it('listens again on a new connection after its backend is terminated, and says so', async () => {
      const clock = new ManualClock();
      const logger = memoryLogger();
      const application = `listener_${process.pid}`;
      const db = openPostgres({ connectionString: url, applicationName: application, clock, logger });
      const admin = openPostgres({ connectionString: url });
      const got: string[] = [];
      const events: string[] = [];
      const unlisten = await db.listen('fleetkit_restart', (p) => got.push(p), {
        onLost: (error) => events.push(`lost ${error.code}`),
        onRestored: () => events.push('restored'),
      });
      try {
        await admin.notify('fleetkit_restart', 'before');
        await eventually(() => got.length === 1);
        const first = await terminateListener(admin, application, 'fleetkit_restart');
        await eventually(() => events.length === 1);
        expect(events).toEqual(['lost sql-failed']);
        // sent while nobody listens: lost, which is why onRestored tells the subscriber to re-read
        await admin.notify('fleetkit_restart', 'meanwhile');
        await eventually(() => events.length === 2, clock);
        expect(events).toEqual(['lost sql-failed', 'restored']);
        await admin.notify('fleetkit_restart', 'after');
        await eventually(() => got.length === 2);
        expect(got).toEqual(['before', 'after']);
        const second = await terminateListener(admin, application, 'fleetkit_restart');
        expect(second).not.toBe(first);
        expect(logger.records.map((r) => [r.level, r.message])).toEqual([
          ['warn', 'lost the LISTEN connection; notifications are lost until it is back'],
          ['info', 'listening again on a new connection'],
          ['warn', 'lost the LISTEN connection; notifications are lost until it is back'],
        ]);
        expect(logger.records[0]!.fields).toMatchObject({
          channel: 'fleetkit_restart',
          error: { code: 'sql-failed', details: { channel: 'fleetkit_restart', sqlState: '57P01' } },
        });
      } finally {
        await unlisten();
        await Promise.all([db.close(), admin.close()]);
      }
      // stopped while waiting to listen again: no attempt is left behind
      expect(clock.pendingTimers).toBe(0);
    });

    it('stops its listeners when the driver closes', async () => {
      const application = `closing_${process.pid}`;
      const db = openPostgres({ connectionString: url, applicationName: application, logger: memoryLogger() });
      const admin = openPostgres({ connectionString: url });
      await db.listen('fleetkit_closing', () => {});
      const listening = () =>
        admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query = $2', [
          application,
          'LISTEN "fleetkit_closing"',
        ]);
      expect(await listening()).toHaveLength(1);
      await db.close();
      await vi.waitFor(async () => expect(await listening()).toEqual([]), { timeout: 20_000, interval: 10 });
      await admin.close();
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
      const plan = async (): Promise<string> =>
        (await db.queryUnprepared<{ 'QUERY PLAN': string }>(sql)).map((r) => r['QUERY PLAN']).join('\n');
      for (let i = 0; i < 6; i++) await plan();
      await db.exec(
        `INSERT INTO ${table} SELECT i, repeat('x', 200) FROM generate_series(1, 50000) i; ANALYZE ${table}`,
      );
      expect(await plan()).toContain('Index');
      expect(await db.queryUnprepared<{ n: number }>('SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
    } finally {
      await db.exec(`DROP TABLE IF EXISTS ${table}`);
      await db.close();
    }
  });

  describe('prepared statements', () => {
    it('describes a statement once per connection and builds later rows from the remembered shape', async () => {
      const db = openPostgres({ connectionString: url, max: 1 });
      const describe = vi.spyOn(
        (pg as unknown as { Connection: { prototype: { describe(): void } } }).Connection.prototype,
        'describe',
      );
      try {
        const sql = `SELECT $1::int8 AS big, $2::text AS t, NULL::int AS missing, true AS yes, '{"a":1}'::jsonb AS doc, 9007199254740993::int8 AS exact`;
        const rows = [];
        for (let i = 0; i < 5; i++) rows.push(...(await db.query(sql, [i, `row ${i}`])));
        expect(rows).toEqual(
          [0, 1, 2, 3, 4].map((i) => ({
            big: i,
            t: `row ${i}`,
            missing: null,
            yes: true,
            doc: { a: 1 },
            exact: 9007199254740993n,
          })),
        );
        expect(describe).toHaveBeenCalledTimes(1);
        // a statement without rows: described once, then counted from its command tag
        await db.exec('CREATE TEMP TABLE shape_probe (n int)');
        for (let i = 0; i < 3; i++)
          expect(await db.run('INSERT INTO shape_probe SELECT generate_series(1, $1::int)', [i + 1])).toEqual({
            changes: i + 1,
          });
        expect(describe).toHaveBeenCalledTimes(2);
      } finally {
        describe.mockRestore();
        await db.close();
      }
    });

    it('reports an error of a later execution and keeps the connection usable', async () => {
      const db = openPostgres({ connectionString: url, max: 1 });
      try {
        const sql = 'SELECT 10 / $1::int AS q';
        expect(await db.query(sql, [2])).toEqual([{ q: 5 }]);
        await expect(db.query(sql, [0])).rejects.toMatchObject({ code: 'sql-failed', details: { sqlState: '22012' } });
        expect(await db.query(sql, [5])).toEqual([{ q: 2 }]);
        await expect(db.transaction(async (tx) => tx.query(sql, [0]))).rejects.toMatchObject({
          details: { sqlState: '22012' },
        });
        expect(await db.transaction(async (tx) => tx.query(sql, [1]))).toEqual([{ q: 10 }]);
      } finally {
        await db.close();
      }
    });

    it('describes again on a connection that has not prepared the statement', async () => {
      const db = openPostgres({ connectionString: url, max: 2 });
      try {
        const sql = 'SELECT $1::text AS who, pg_backend_pid() AS pid';
        // two transactions at once hold both connections: each prepares the statement itself
        const seen = await Promise.all(
          ['a', 'b'].map((who) =>
            db.transaction(async (tx) => {
              const [row] = await tx.query<{ who: string; pid: number }>(sql, [who]);
              await new Promise((r) => setTimeout(r, 50));
              return row!;
            }),
          ),
        );
        expect(seen.map((r) => r.who)).toEqual(['a', 'b']);
        expect(new Set(seen.map((r) => r.pid)).size).toBe(2);
        for (let i = 0; i < 4; i++) expect(await db.query(sql, [`c${i}`])).toMatchObject([{ who: `c${i}` }]);
      } finally {
        await db.close();
      }
    });
  });
});
