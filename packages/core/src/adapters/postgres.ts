import pg from 'pg';
import { scopedExecutor } from '../_internal/transaction.ts';
import { type Clock, systemClock } from '../clock.ts';
import { CoreError, CoreErrorCode } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult, SqlValue } from '../sql/driver.ts';
import type { ListenEvents, NotificationHandler } from '../sql/notify.ts';
import { ChannelListener } from './postgres-listener.ts';

export type { ListenEvents, NotificationHandler } from '../sql/notify.ts';

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
  /** Times the waits before listening again after a lost connection. Default `systemClock`. */
  readonly clock?: Clock;
  /** Where lost and restored LISTEN connections are reported. Default `createLogger()`. */
  readonly logger?: Logger;
}

/** The PostgreSQL driver: the port plus `LISTEN`/`NOTIFY` to wake waiters. */
export interface PostgresDriver extends SqlDriver {
  readonly dialect: 'postgres';
  /**
   * Subscribes to a channel on a connection of its own (beside the pool) and
   * resolves to an unsubscribe. When that connection breaks, it listens
   * again on a new one; `events` hear of the loss and the return, since
   * notifications sent in between are lost.
   */
  listen(channel: string, handler: NotificationHandler, events?: ListenEvents): Promise<() => Promise<void>>;
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
      return (await wrap(sql, () => names.execute(client, sql, params))).rows as Row[];
    },
    async run(sql, params = []): Promise<SqlRunResult> {
      return { changes: (await wrap(sql, () => names.execute(client, sql, params))).rowCount ?? 0 };
    },
  });
  const open = (): void => {
    if (closed) throw new CoreError(CoreErrorCode.SqlClosed, 'Cannot use the PostgreSQL driver: it is closed');
  };
  const base = over(pool);

  const listeners = new Set<ChannelListener>();
  const listenerContext = {
    newClient: () =>
      new pg.Client({
        connectionString: options.connectionString,
        application_name: options.applicationName ?? 'fleetkit',
        types,
        // a silently dropped peer (no RST) is found by TCP keepalive, not by waiting for a notification
        keepAlive: true,
      }),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createLogger(),
  };

  return {
    dialect: 'postgres',
    query(sql, params) {
      open();
      return base.query(sql, params);
    },
    run(sql, params) {
      open();
      return base.run(sql, params);
    },
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
    async listen(channel, handler, events = {}) {
      open();
      const listener = new ChannelListener(listenerContext, channel, handler, events);
      await listener.start();
      if (closed) {
        await listener.stop();
        open();
      }
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
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
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await pool.end();
    },
  };
}

/** What a statement gave: its rows and the count its command tag reported. */
interface Outcome {
  readonly rows: SqlRow[];
  readonly rowCount: number | null;
}

/** Names, and parsers by column, of a prepared statement's rows; null when it returns none. */
interface RowShape {
  readonly names: readonly string[];
  readonly parsers: readonly ((text: string) => unknown)[];
}

/**
 * Gives each distinct statement text a stable prepared-statement name, up to
 * a limit, and remembers each named statement's row shape.
 */
class StatementNames {
  readonly #limit: number;
  readonly #names = new Map<string, string>();
  readonly #shapes = new Map<string, RowShape | null>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs a statement on a pool or a checked-out client: named and prepared while under the limit, else unnamed. */
  execute(client: pg.Pool | pg.PoolClient, text: string, params: readonly SqlValue[]): Promise<Outcome> {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < this.#limit) {
      name = `fleetkit_${this.#names.size}`;
      this.#names.set(text, name);
    }
    if (name === undefined) return client.query({ text, values: bind(params) });
    const execution = new PreparedExecution(name, text, bind(params), this.#shapes);
    // with a callback: a client (not the pool) returns a submittable itself, not a promise
    return new Promise<Outcome>((resolve, reject) => {
      (client as unknown as Submitter).query(execution, (error, outcome) =>
        error ? reject(error) : resolve(outcome!),
      );
    });
  }
}

/** A pool or client taking a query object and a callback (node-postgres's types lack the callback form). */
interface Submitter {
  query(execution: PreparedExecution, callback: (error: Error | null, outcome?: Outcome) => void): void;
}

/** The connection methods a {@link PreparedExecution} uses (node-postgres's `Connection`, not in its types). */
interface WireConnection {
  readonly stream: { cork?(): void; uncork?(): void };
  readonly parsedStatements: Record<string, string | undefined>;
  readonly submittedNamedStatements: Record<string, string | undefined>;
  parse(q: { text: string; name: string }): void;
  bind(b: {
    portal: string;
    statement: string;
    values: unknown[];
    binary: boolean;
    valueMapper: (v: unknown) => unknown;
  }): void;
  describe(d: { type: 'P'; name: string }): void;
  execute(e: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/**
 * One execution of a named statement, submitted to node-postgres as its own
 * query object (the `submit` protocol pg-cursor uses). Parse is sent once per
 * connection, as node-postgres does. Unlike its Query, the portal is
 * described only until the statement's row shape is known: a prepared
 * statement cannot change its result columns while it lives (PostgreSQL
 * refuses to run it: "cached plan must not change result type"), so every
 * later execution is Bind, Execute, Sync, and its rows are built from the
 * remembered names and parsers: node-postgres's per-execution RowDescription
 * handling and config clone were a large share of its CPU in a txqueue cycle
 * (docs/decisions/txqueue-004-cpu-per-cycle.md).
 */
class PreparedExecution {
  readonly name: string;
  readonly text: string;
  callback: ((error: Error | null, outcome?: Outcome) => void) | undefined;
  readonly #values: unknown[];
  readonly #shapes: Map<string, RowShape | null>;
  #shape: RowShape | null | undefined;
  #described = false;
  readonly #rows: SqlRow[] = [];
  #rowCount: number | null = null;
  #failure: Error | undefined;

  constructor(name: string, text: string, values: unknown[], shapes: Map<string, RowShape | null>) {
    this.name = name;
    this.text = text;
    this.#values = values;
    this.#shapes = shapes;
  }

  submit(connection: WireConnection): Error | null {
    const parsed = connection.parsedStatements[this.name];
    if (parsed !== undefined && parsed !== this.text)
      return new Error(`Prepared statement "${this.name}" was already used for a different text`);
    this.#shape = parsed === undefined ? undefined : this.#shapes.get(this.name);
    connection.stream.cork?.();
    try {
      if (parsed === undefined) {
        connection.parse({ text: this.text, name: this.name });
        connection.submittedNamedStatements[this.name] = this.text;
      }
      connection.bind({
        portal: '',
        statement: this.name,
        values: this.#values,
        binary: false,
        valueMapper: wireValue,
      });
      if (this.#shape === undefined) {
        connection.describe({ type: 'P', name: '' });
        this.#described = true;
      }
      connection.execute({ portal: '', rows: 0 });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: readonly { name: string; dataTypeID: number; format: string }[] }): void {
    this.#shape = {
      names: msg.fields.map((f) => f.name),
      parsers: msg.fields.map(
        (f) =>
          types.getTypeParser(f.dataTypeID, f.format === 'binary' ? 'binary' : 'text') as (text: string) => unknown,
      ),
    };
    this.#shapes.set(this.name, this.#shape);
  }

  handleDataRow(msg: { fields: readonly (string | null)[] }): void {
    if (this.#failure) return;
    const shape = this.#shape;
    if (!shape) {
      this.#failure = new Error(`Prepared statement "${this.name}" returned a row without a known row description`);
      return;
    }
    try {
      const row: SqlRow = {};
      for (let i = 0; i < shape.names.length; i++) {
        const raw = msg.fields[i];
        row[shape.names[i]!] = raw === null || raw === undefined ? null : (shape.parsers[i]!(raw) as SqlValue);
      }
      this.#rows.push(row);
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
    }
  }

  handleCommandComplete(msg: { text?: string; command?: string }): void {
    // described and no RowDescription came: the statement returns no rows
    if (this.#described && this.#shape === undefined) this.#shapes.set(this.name, null);
    // the count is the command tag's last word when it is a number ("INSERT 0 5", "UPDATE 3"), as node-postgres reads it
    const tag = msg.text ?? msg.command ?? '';
    const count = Number(tag.slice(tag.lastIndexOf(' ') + 1));
    this.#rowCount = tag.includes(' ') && Number.isSafeInteger(count) ? count : null;
  }

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('COPY FROM STDIN is not supported by this driver');
  }

  handleCopyData(): void {}

  handleError(error: Error): void {
    this.callback?.(this.#failure ?? error);
  }

  handleReadyForQuery(): void {
    if (this.#failure) this.callback?.(this.#failure);
    else this.callback?.(null, { rows: this.#rows, rowCount: this.#rowCount });
  }
}

/** A bound parameter on the wire (after `bind`): text, bytes or NULL. */
function wireValue(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'string' || Buffer.isBuffer(value))
    return value ?? null;
  return String(value);
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
