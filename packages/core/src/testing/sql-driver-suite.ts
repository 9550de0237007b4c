import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CoreError, CoreErrorCode } from '../errors.ts';
import type { SqlDialect, SqlDriver } from '../sql/driver.ts';
import { type ContractOptions, contractSuite, whenOpened } from './contract.ts';

/** DDL type names that differ between the dialects. */
export function sqlTypes(dialect: SqlDialect): { readonly blob: string; readonly serial: string } {
  return dialect === 'postgres'
    ? { blob: 'BYTEA', serial: 'BIGSERIAL PRIMARY KEY' }
    : { blob: 'BLOB', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT' };
}

/** What the additional tests of {@link describeSqlDriver} work with. */
export interface SqlDriverSuiteContext {
  /** The driver under test; it is opened before the suite's first test, so read it inside a test. */
  readonly driver: SqlDriver;
  /**
   * A table of the suite's own, `(id, name TEXT UNIQUE, n BIGINT, data BLOB,
   * flag INTEGER)`, holding the suite's rows; dropped after the suite.
   */
  readonly table: string;
}

/** Options of {@link describeSqlDriver}: tests to skip with their reason, and tests of the adapter's own. */
export type SqlDriverSuiteOptions = ContractOptions<SqlDriverSuiteContext>;

/**
 * The contract every {@link SqlDriver} adapter passes (unstorage's
 * `testDriver` pattern): one suite, each adapter's test file a few lines.
 */
export function describeSqlDriver(
  name: string,
  open: () => Promise<SqlDriver> | SqlDriver,
  options: SqlDriverSuiteOptions = {},
): void {
  describe(`SQL driver contract: ${name}`, () => {
    let db: SqlDriver;
    const table = `t_${Math.random().toString(36).slice(2, 10)}`;
    const contract = contractSuite(options);
    const it = contract.test;

    beforeAll(async () => {
      db = await open();
      const t = sqlTypes(db.dialect);
      await db.exec(
        `CREATE TABLE ${table} (id ${t.serial}, name TEXT NOT NULL UNIQUE, n BIGINT, data ${t.blob}, flag INTEGER);`,
      );
    });
    afterAll(async () => {
      await db.exec(`DROP TABLE IF EXISTS ${table}`);
      await db.close();
    });

    it('binds $n placeholders by number, in any order and repeated', async () => {
      const rows = await db.query('SELECT $2 AS b, $1 AS a, $2 AS b2', ['x', 'y']);
      expect(rows).toEqual([{ b: 'y', a: 'x', b2: 'y' }]);
    });

    it('leaves $n inside string literals and comments alone', async () => {
      const rows = await db.query("SELECT '$1' AS lit, $1 AS p -- $2\n", ['v']);
      expect(rows).toEqual([{ lit: '$1', p: 'v' }]);
    });

    it('round-trips text, integers, null, booleans and bytes', async () => {
      const bytes = new Uint8Array([0, 1, 254, 255]);
      await db.run(`INSERT INTO ${table} (name, n, data, flag) VALUES ($1, $2, $3, $4)`, [
        'ünï-⚙',
        2 ** 53 - 1,
        bytes,
        true,
      ]);
      await db.run(`INSERT INTO ${table} (name, n, data, flag) VALUES ($1, $2, $3, $4)`, [
        'null-row',
        null,
        null,
        false,
      ]);
      const rows = await db.query<{ name: string; n: number | null; data: Uint8Array | null; flag: number }>(
        `SELECT name, n, data, flag FROM ${table} ORDER BY id`,
      );
      expect(rows.map((r) => r.name)).toEqual(['ünï-⚙', 'null-row']);
      expect(rows[0]!.n).toBe(2 ** 53 - 1);
      expect(Array.from(rows[0]!.data!)).toEqual([0, 1, 254, 255]);
      expect(rows.map((r) => Number(r.flag))).toEqual([1, 0]);
      expect(rows[1]!.n).toBeNull();
      expect(rows[1]!.data).toBeNull();
    });

    it('reports how many rows a statement changed', async () => {
      const r = await db.run(`UPDATE ${table} SET flag = $1 WHERE flag IS NOT NULL`, [7]);
      expect(r.changes).toBe(2);
    });

    it('commits a transaction that resolves', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (name) VALUES ($1)`, ['committed']);
        return 42;
      });
      expect(value).toBe(42);
      expect(await db.query(`SELECT name FROM ${table} WHERE name = $1`, ['committed'])).toHaveLength(1);
    });

    it('rolls back every statement of a transaction that throws', async () => {
      const failure = db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (name) VALUES ($1)`, ['rolled-back']);
        await tx.run(`INSERT INTO ${table} (name) VALUES ($1)`, ['committed']); // UNIQUE violation
      });
      await expect(failure).rejects.toMatchObject({ code: CoreErrorCode.SqlFailed });
      expect(await db.query(`SELECT name FROM ${table} WHERE name = $1`, ['rolled-back'])).toHaveLength(0);
    });

    it('keeps concurrent transactions from losing each other’s updates', async () => {
      await db.run(`INSERT INTO ${table} (name, n) VALUES ($1, 0)`, ['counter']);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            await tx.run(`UPDATE ${table} SET n = n + 1 WHERE name = $1`, ['counter']);
          }),
        ),
      );
      const [row] = await db.query<{ n: number }>(`SELECT n FROM ${table} WHERE name = $1`, ['counter']);
      expect(row!.n).toBe(20);
    });

    it('refuses a transaction handle used after the transaction ended', async () => {
      let leaked: Parameters<Parameters<SqlDriver['transaction']>[0]>[0] | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.query('SELECT 1 AS one')).rejects.toMatchObject({ code: CoreErrorCode.SqlClosed });
    });

    it('throws a typed error that carries the failing statement', async () => {
      const error = await db.query('SELECT * FROM no_such_table_here').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoreError);
      expect(error).toMatchObject({
        code: CoreErrorCode.SqlFailed,
        details: { sql: 'SELECT * FROM no_such_table_here' },
      });
    });

    contract.finish({
      get driver(): SqlDriver {
        return whenOpened(db, 'the driver of the SQL driver contract');
      },
      table,
    });
  });
}
