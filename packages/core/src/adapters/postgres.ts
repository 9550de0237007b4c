import pg from 'pg';
import { scopedExecutor } from '../_internal/transaction.ts';
import { CoreError, CoreErrorCode } from '../errors.ts';
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult, SqlValue } from '../sql/driver.ts';

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** `postgres://user@host:port/db` (a `host=/socket/dir` query works too). */
  readonly connectionString: string;
  /** Pool size. Default 10. */
  readonly max?: number;
  /** Name shown in `pg_stat_activity`. Default `fleetkit`. */
  readonly applicationName?: string;
  /**
   * Distinct statement texts run as named prepared statements, so each
   * connection plans them once instead of on every call. Default 512; 0 turns
   * it off. Texts beyond the limit run unnamed.
   */
  readonly preparedStatements?: number;
}

/** Handler of a `NOTIFY` payload. */
export type NotificationHandler = (payload: string) => void;

/** The PostgreSQL driver: the port plus `LISTEN`/`NOTIFY` to wake waiters. */
export interface PostgresDriver extends SqlDriver {
  readonly dialect: 'postgres';
  /** Subscribes to a channel on a dedicated connection; resolves to an unsubscribe. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  /** Sends a notification (delivered when the surrounding transaction commits). */
  notify(channel: string, payload: string, executor?: SqlExecutor): Promise<void>;
  /**
   * Runs a statement without preparing it: planned on every call for the
   * parameter values and table sizes of that moment. For statements whose
   * best plan changes as tables grow: a prepared statement keeps the generic
   * plan it chose for the tables as they were when it was first run.
   */
  queryUnprepared<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

const INT8_OID = 20;

// int8 arrives as text; numbers in the safe range become numbers so rows look
// the same as SQLite's, larger ones stay exact as bigint.
function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** Opens a pool on a PostgreSQL server (the scale-out store). */
export function openPostgres(options: PostgresOptions): PostgresDriver {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'fleetkit',
    types,
  });
  // An idle client's error (server restart) must not crash the process; the
  // next query gets a fresh connection and its own error.
  pool.on('error', () => {});
  let closed = false;
  const names = new StatementNames(options.preparedStatements ?? 512);

  const over = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    dialect: 'postgres',
    async query<Row extends SqlRow>(sql: string, params: readonly SqlValue[] = []) {
      return (await wrap(sql, () => client.query(names.config(sql, params)))).rows as Row[];
    },
    async run(sql, params = []): Promise<SqlRunResult> {
      return { changes: (await wrap(sql, () => client.query(names.config(sql, params)))).rowCount ?? 0 };
    },
  });
  const open = (): void => {
    if (closed) throw new CoreError(CoreErrorCode.SqlClosed, 'Cannot use the PostgreSQL driver: it is closed');
  };
  const base = over(pool);

  return {
    dialect: 'postgres',
    query: (sql, params) => (open(), base.query(sql, params)),
    run: (sql, params) => (open(), base.run(sql, params)),
    async exec(script) {
      open();
      await wrap(script, () => pool.query(script));
    },
    async transaction(fn) {
      open();
      const client = await wrap('BEGIN', () => pool.connect());
      let released = false;
      const scope = scopedExecutor(over(client));
      try {
        await client.query('BEGIN');
        const result = await fn(scope.executor);
        await wrap('COMMIT', () => client.query('COMMIT'));
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // a broken connection must leave the pool, not serve the next caller
          client.release(rollbackError instanceof Error ? rollbackError : true);
          released = true;
        }
        throw error;
      } finally {
        scope.end();
        if (!released) client.release();
      }
    },
    async listen(channel, handler) {
      open();
      const client = await wrap('LISTEN', () => pool.connect());
      const onNotification = (msg: pg.Notification): void => {
        if (msg.channel === channel) handler(msg.payload ?? '');
      };
      client.on('notification', onNotification);
      await wrap('LISTEN', () => client.query(`LISTEN ${quoteIdent(channel)}`));
      return async () => {
        client.off('notification', onNotification);
        try {
          await client.query(`UNLISTEN ${quoteIdent(channel)}`);
        } finally {
          client.release();
        }
      };
    },
    async queryUnprepared<Row extends SqlRow>(sql: string, params: readonly SqlValue[] = []) {
      open();
      return (await wrap(sql, () => pool.query({ text: sql, values: bind(params) }))).rows as Row[];
    },
    async notify(channel, payload, executor) {
      await (executor ?? base).run('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Gives each distinct statement text a stable prepared-statement name, up to a limit. */
class StatementNames {
  readonly #limit: number;
  readonly #names = new Map<string, string>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  config(text: string, params: readonly SqlValue[]): pg.QueryConfig {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < this.#limit) {
      name = `fleetkit_${this.#names.size}`;
      this.#names.set(text, name);
    }
    return name === undefined ? { text, values: bind(params) } : { name, text, values: bind(params) };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => {
    // as on SQLite; PostgreSQL reads '1'/'0' as boolean input too
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (typeof p === 'bigint') return p.toString();
    if (p instanceof Uint8Array && !Buffer.isBuffer(p)) return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    return p;
  });
}

async function wrap<T>(sql: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const sqlState = (cause as { code?: unknown }).code;
    throw new CoreError(CoreErrorCode.SqlFailed, `PostgreSQL statement failed: ${message}`, {
      cause,
      details: { sql: sql.slice(0, 500), ...(typeof sqlState === 'string' ? { sqlState } : {}) },
    });
  }
}
