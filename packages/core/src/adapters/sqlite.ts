import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { Mutex } from '../_internal/mutex.ts';
import { scopedExecutor } from '../_internal/transaction.ts';
import { CoreError, CoreErrorCode } from '../errors.ts';
import {
  mapPlaceholders,
  type SqlDriver,
  type SqlExecutor,
  type SqlRow,
  type SqlRunResult,
  type SqlValue,
} from '../sql/driver.ts';

/** Options of {@link openSqlite}. */
export interface SqliteOptions {
  /** Database file, or `:memory:`. */
  readonly path: string;
  /**
   * `full` (default) fsyncs the WAL on every commit: an acknowledged write
   * survives power loss. `normal` survives `kill -9` but may lose the last
   * commits on power loss (docs/decisions/sqlite-binding.md).
   */
  readonly synchronous?: 'full' | 'normal';
  /** Milliseconds to wait for another process's lock. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Prepared statements kept per connection. Default 256. */
  readonly statementCache?: number;
  /**
   * Holds the file's write lock from open until close: no other connection
   * or process can read or write it meanwhile (the `sqlite3` shell, a second
   * server started on the same file by mistake: its open fails after
   * `busyTimeoutMs`). Transactions then skip the shared-memory index and its
   * lock calls (docs/decisions/txqueue-006-statement-cost.md). Default false.
   */
  readonly exclusive?: boolean;
}

/**
 * The embedded default SQL driver, on `node:sqlite` (Node ≥ 22.13, Bun and
 * Deno run it unchanged: docs/sources.md, Runtimes). One connection in WAL
 * mode; calls are serialised so a transaction never interleaves with another.
 */
export function openSqlite(options: SqliteOptions): SqlDriver {
  const db = new DatabaseSync(options.path);
  const sync = options.synchronous ?? 'full';
  // busy_timeout first: opening waits that long for another holder of the file
  const setup = [`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`];
  // exclusive before the first WAL access: SQLite then keeps the WAL index in
  // its own memory, and BEGIN IMMEDIATE takes the write lock it keeps
  if (options.exclusive) setup.push('PRAGMA locking_mode = EXCLUSIVE');
  setup.push(
    'PRAGMA journal_mode = WAL',
    `PRAGMA synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`,
    'PRAGMA foreign_keys = ON',
  );
  if (options.exclusive) setup.push('BEGIN IMMEDIATE', 'COMMIT');
  const script = `${setup.join(';\n')};`;
  try {
    wrap(script, () => db.exec(script));
  } catch (error) {
    db.close();
    throw error;
  }
  const statements = new StatementCache(db, options.statementCache ?? 256);
  // prepared once: db.exec would parse them again for every transaction
  // (docs/decisions/core-001-sqlite-transaction-cost.md)
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const mutex = new Mutex();
  let closed = false;

  const direct: SqlExecutor = {
    dialect: 'sqlite',
    async query<Row extends SqlRow>(sql: string, params: readonly SqlValue[] = []) {
      return wrap(sql, () => statements.get(sql).all(...bind(params)) as Row[]);
    },
    async run(sql, params = []) {
      return wrap(sql, (): SqlRunResult => ({ changes: Number(statements.get(sql).run(...bind(params)).changes) }));
    },
  };
  const guarded = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed)
      return Promise.reject(new CoreError(CoreErrorCode.SqlClosed, 'Cannot use the SQLite driver: it is closed'));
    return mutex.lock(fn);
  };

  return {
    dialect: 'sqlite',
    query: (sql, params) => guarded(() => direct.query(sql, params)),
    run: (sql, params) => guarded(() => direct.run(sql, params)),
    exec: (script) => guarded(async () => wrap(script, () => db.exec(script))),
    transaction: (fn) =>
      guarded(async () => {
        const scope = scopedExecutor(direct);
        wrap('BEGIN IMMEDIATE', () => begin.run());
        try {
          const result = await fn(scope.executor);
          // a failed COMMIT (busy, a deferred constraint) leaves the transaction open: rolled back below
          wrap('COMMIT', () => commit.run());
          return result;
        } catch (error) {
          if (db.isTransaction) wrap('ROLLBACK', () => rollback.run());
          throw error;
        } finally {
          scope.end();
        }
      }),
    async close() {
      if (closed) return;
      await mutex.lock(async () => {
        closed = true;
        db.close();
      });
    },
  };
}

function bind(params: readonly SqlValue[]): SQLInputValue[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

function wrap<T>(sql: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof CoreError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    const sqliteCode = (cause as { errcode?: unknown }).errcode;
    const details = { sql: sql.slice(0, 500), ...(typeof sqliteCode === 'number' ? { sqliteCode } : {}) };
    if (isBusy(sqliteCode, message)) {
      const busy = `Cannot run the SQLite statement as another connection holds the lock: ${message}`;
      throw new CoreError(CoreErrorCode.SqlBusy, busy, { cause, details });
    }
    throw new CoreError(CoreErrorCode.SqlFailed, `SQLite statement failed: ${message}`, { cause, details });
  }
}

// SQLite result codes: the primary code is the low byte of an extended one
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** Whether a failure is another connection's lock; Deno's errors carry no code, only SQLite's message. */
function isBusy(sqliteCode: unknown, message: string): boolean {
  if (typeof sqliteCode === 'number') {
    const primary = sqliteCode & 0xff;
    return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
  }
  return /^database (?:table )?is locked/.test(message);
}

class StatementCache {
  readonly #db: DatabaseSync;
  readonly #limit: number;
  readonly #map = new Map<string, StatementSync>();

  constructor(db: DatabaseSync, limit: number) {
    this.#db = db;
    this.#limit = limit;
  }

  get(sql: string): StatementSync {
    let stmt = this.#map.get(sql);
    if (stmt) {
      this.#map.delete(sql);
    } else {
      stmt = this.#db.prepare(mapPlaceholders(sql, (n) => `?${n}`));
      if (this.#map.size >= this.#limit) this.#map.delete(this.#map.keys().next().value!);
    }
    this.#map.set(sql, stmt);
    return stmt;
  }
}
