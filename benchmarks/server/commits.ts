// The durable commits a benchmark server makes, counted at its SqlDriver: the
// cost the server suite's ratios mostly follow (every commit is an fsync on
// SQLite FULL and a WAL flush and round trip on PostgreSQL). Benchmark-only:
// the production driver is wrapped by the benchmark's child, never by the server.
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult, SqlValue } from '@fleetkit/core';

/**
 * Commits by what they wrote: `<table>` for one statement, `tx:<table>+<table>` for a transaction;
 * under {@link STATEMENTS} every statement, reads and a transaction's BEGIN and COMMIT included, and
 * under `statement:<what>` each statement by what it writes or (`read:`) the tables it reads.
 */
export type CommitCounts = Record<string, number>;

export const STATEMENTS = 'statements';
/** CPU time in µs: the side's server process, and its database's (PostgreSQL: bench.ts reads /proc). */
export const CPU_PROCESS = 'cpu:process';
export const CPU_DATABASE = 'cpu:database';
const STATEMENT = 'statement:';
const READ = /\b(?:FROM|JOIN)\s+(\w+)/gi;

/** What a statement writes, else what it reads: its label under `statement:`. */
function statementLabel(sql: string): string {
  const written = writtenTable(sql);
  if (written !== undefined) return written;
  const tables = new Set<string>();
  for (const match of sql.matchAll(READ)) tables.add(match[1]!.toLowerCase());
  return `read:${[...tables].join('+')}`;
}

// INSERT INTO t, DELETE FROM t, UPDATE t SET: also inside the data-modifying
// CTEs of PostgreSQL fast paths (txqueue's pg-fast.ts); not SELECT … FOR UPDATE
const WRITE = /\b(?:INSERT\s+INTO|DELETE\s+FROM)\s+(\w+)|\bUPDATE\s+(\w+)\s+SET\b/gi;

/** The tables a statement writes, `a+b` in their order of first mention, or undefined for a read. */
function writtenTable(sql: string): string | undefined {
  const tables = new Set<string>();
  for (const match of sql.matchAll(WRITE)) tables.add((match[1] ?? match[2])!.toLowerCase());
  return tables.size === 0 ? undefined : [...tables].join('+');
}

/** Counts, by what they changed, the commits that changed something (an empty commit writes no log). */
export class CommitCounter {
  readonly counts: CommitCounts = {};

  #add(label: string): void {
    this.counts[label] = (this.counts[label] ?? 0) + 1;
  }

  #statement(sql: string): void {
    this.#add(STATEMENTS);
    this.#add(`${STATEMENT}${statementLabel(sql)}`);
  }

  /** A copy of the counts, and under {@link CPU_PROCESS} this process's CPU time so far in µs. */
  snapshot(): CommitCounts {
    const cpu = process.cpuUsage();
    return { ...this.counts, [CPU_PROCESS]: cpu.user + cpu.system };
  }

  /** The counts since `before`, without the labels that did not move. */
  since(before: CommitCounts): CommitCounts {
    const out: CommitCounts = {};
    for (const [label, n] of Object.entries(this.counts)) {
      const moved = n - (before[label] ?? 0);
      if (moved > 0) out[label] = moved;
    }
    return out;
  }

  /** `driver` with its commits counted here; every other member (PostgreSQL's `listen`…) passes through. */
  wrap(driver: SqlDriver): SqlDriver {
    const counter = this;
    /** Runs a statement; reports the table when it changed rows. */
    const watch = (executor: SqlExecutor, changed: (table: string) => void): SqlExecutor => ({
      dialect: executor.dialect,
      async query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
        counter.#statement(sql);
        const rows = await executor.query<Row>(sql, params);
        const table = writtenTable(sql);
        if (table !== undefined && rows.length > 0) changed(table);
        return rows;
      },
      async run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
        counter.#statement(sql);
        const result = await executor.run(sql, params);
        const table = writtenTable(sql);
        if (table !== undefined && result.changes > 0) changed(table);
        return result;
      },
    });
    const outside = watch(driver, (table) => counter.#add(table));
    return new Proxy(driver, {
      get(target, key, receiver) {
        if (key === 'query') return outside.query;
        if (key === 'run') return outside.run;
        if (key === 'transaction') {
          return <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
            target.transaction(async (tx) => {
              // BEGIN and COMMIT: a round trip each on PostgreSQL
              counter.#add(STATEMENTS);
              counter.#add(STATEMENTS);
              const tables = new Set<string>();
              const result = await fn(watch(tx, (table) => tables.add(table)));
              if (tables.size > 0) counter.#add(`tx:${[...tables].sort().join('+')}`);
              return result;
            });
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

/** `12.3 commits/cycle (srv_callbacks 4.1, tx:txq_events+txq_tx 2.0, …); 30.2 statements/cycle`. */
export function describeCommits(counts: CommitCounts, cycles: number): string {
  const commits = Object.entries(counts).filter(
    ([label]) => label !== STATEMENTS && !label.startsWith(STATEMENT) && !label.startsWith('cpu:'),
  );
  const total = commits.reduce((sum, [, n]) => sum + n, 0);
  const parts = commits.sort((a, b) => b[1] - a[1]).map(([label, n]) => `${label} ${(n / cycles).toFixed(2)}`);
  const statements = (counts[STATEMENTS] ?? 0) / cycles;
  return `${(total / cycles).toFixed(2)} commits/cycle (${parts.join(', ')}); ${statements.toFixed(1)} statements/cycle`;
}

/** The statements per cycle by what they write or read, most first (BEGIN and COMMIT not included). */
export function describeStatements(counts: CommitCounts, cycles: number): string {
  return Object.entries(counts)
    .filter(([label]) => label.startsWith(STATEMENT))
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => `${label.slice(STATEMENT.length)} ${(n / cycles).toFixed(2)}`)
    .join(', ');
}

/** `server process 1.20 ms/cycle, PostgreSQL 2.31 ms/cycle` (CPU time). */
export function describeCpu(counts: CommitCounts, cycles: number): string {
  const ms = (label: string) => ((counts[label] ?? 0) / 1000 / cycles).toFixed(2);
  const database = counts[CPU_DATABASE] === undefined ? '' : `, PostgreSQL ${ms(CPU_DATABASE)} ms/cycle`;
  return `CPU: process ${ms(CPU_PROCESS)} ms/cycle${database}`;
}
