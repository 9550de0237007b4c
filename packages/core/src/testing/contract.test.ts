import { describe, expect, it } from 'vitest';
import { openSqlite } from '../adapters/sqlite.ts';
import { CoreErrorCode } from '../errors.ts';
import { InThreadPool } from '../pool/in-thread.ts';
import { defineTask } from '../pool/task.ts';
import { contractSuite } from './contract.ts';
import { testOutcomes } from './outcomes.ts';
import { describeWorkerPool } from './pool-suite.ts';
import { describeSqlDriver } from './sql-driver-suite.ts';

const fixtures = new URL('../../test/fixtures/tasks.ts', import.meta.url).href;

describe('contract suite options', () => {
  const sqlReason = 'this adapter counts changed rows its own way (a reason for the report)';
  const sqlAdditional: string[] = [];
  let earlyRead: unknown;
  describeSqlDriver('sqlite with options', () => openSqlite({ path: ':memory:' }), {
    skip: { 'reports how many rows a statement changed': sqlReason },
    additionalTests(context) {
      try {
        void context.driver;
      } catch (error) {
        earlyRead = error;
      }
      it('reads the rows the suite wrote, through the suite’s driver and table', async () => {
        const rows = await context.driver.query<{ name: string }>(`SELECT name FROM ${context.table} ORDER BY id`);
        sqlAdditional.push(...rows.map((row) => row.name));
      });
    },
  });

  const poolReason = 'this pool cannot hand buffers back (a reason for the report)';
  const poolAdditional: number[] = [];
  describeWorkerPool('in-thread with options', () => new InThreadPool(), {
    fixtures,
    skip: { 'hands a task’s buffer back with the result': poolReason },
    additionalTests({ pool, fixtures: url }) {
      it('runs a task of the suite’s fixtures on the suite’s pool', async () => {
        poolAdditional.push(await pool.run(defineTask<{ a: number; b: number }, number>(url, 'add'), { a: 1, b: 2 }));
      });
    },
  });

  it('reports each skipped test as skipped with its reason, and runs the others', (context) => {
    const outcomes = testOutcomes(context);
    const sql = 'contract suite options > SQL driver contract: sqlite with options > ';
    expect(outcomes.get(`${sql}reports how many rows a statement changed`)).toEqual({ state: 'skip', note: sqlReason });
    expect(outcomes.get(`${sql}commits a transaction that resolves`)).toEqual({ state: 'pass', note: undefined });
    const pool = 'contract suite options > worker pool contract: in-thread with options > ';
    expect(outcomes.get(`${pool}hands a task’s buffer back with the result`)).toEqual({
      state: 'skip',
      note: poolReason,
    });
    expect(outcomes.get(`${pool}runs a named task and returns its result`)?.state).toBe('pass');
  });

  it('runs the additional tests after the suite’s own, with the suite’s context', (context) => {
    expect(sqlAdditional).toEqual(['ünï-⚙', 'null-row', 'committed', 'counter']);
    expect(poolAdditional).toEqual([3]);
    const outcomes = testOutcomes(context);
    expect(
      outcomes.get(
        'contract suite options > SQL driver contract: sqlite with options > reads the rows the suite wrote, through the suite’s driver and table',
      )?.state,
    ).toBe('pass');
  });

  it('refuses a read of the driver before the suite has opened it', () => {
    expect(earlyRead).toMatchObject({ code: CoreErrorCode.InvalidArgument, message: /read it inside a test/ });
  });

  it('refuses to skip a test the suite does not have, naming it and the tests it has', () => {
    const contract = contractSuite({ skip: { 'no such test': 'a stale exemption' } });
    expect(() => contract.finish({})).toThrow(
      expect.objectContaining({
        code: CoreErrorCode.InvalidArgument,
        message: 'Cannot skip "no such test" as the suite has no test of that name',
        details: { path: 'skip', expected: [], got: ['no such test'] },
      }),
    );
  });
});
