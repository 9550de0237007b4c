/** A value a statement binds or a row holds. Booleans bind as 0/1. */
export type SqlValue = null | number | bigint | string | boolean | Uint8Array;

/** A row as a plain object keyed by column name. */
export type SqlRow = Record<string, unknown>;

/** Outcome of a statement that returns no rows. */
export interface SqlRunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/** The SQL dialects fleetkit stores are written for. */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * What a store can do inside or outside a transaction. Statements use
 * PostgreSQL's `$1, $2…` placeholders on every dialect; the SQLite adapter
 * maps them to `?1, ?2…`, so one statement text serves both.
 */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs a statement and returns its rows. */
  query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement for its effect. */
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
}

/**
 * The SQL driver port stateful engines build their stores on. A resolved
 * `run`, `query` or `transaction` is durable: it survives `kill -9`.
 */
export interface SqlDriver extends SqlExecutor {
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (schema set-up). */
  exec(script: string): Promise<void>;
  /** Waits for running work and releases the connection(s). */
  close(): Promise<void>;
}

/** Replaces `$n` placeholders outside quotes, identifiers and comments. */
export function mapPlaceholders(sql: string, to: (index: number) => string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = skipQuoted(sql, i, ch);
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && isDigit(sql.charCodeAt(i + 1)) && !isWordChar(sql.charCodeAt(i - 1))) {
      let j = i + 1;
      while (isDigit(sql.charCodeAt(j))) j++;
      out += to(Number(sql.slice(i + 1, j)));
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordChar(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
