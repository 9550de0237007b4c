// The durable commits a benchmark server makes, counted at its SqlDriver: the
// cost the server suite's ratios mostly follow (every commit is an fsync on
// SQLite FULL and a WAL flush and round trip on PostgreSQL). Benchmark-only:
// the production driver is wrapped by the benchmark's child, never by the server.
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult, SqlValue } from '@fleetkit/core';

/** Commits by what they wrote: `<table>` for one statement, `tx:<table>+<table>` for a transaction. */
export type CommitCounts = Record<string, number>;

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

  /** A copy of the counts, for a later {@link CommitCounter.since}. */
  snapshot(): CommitCounts {
    return { ...this.counts };
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
        const rows = await executor.query<Row>(sql, params);
        const table = writtenTable(sql);
        if (table !== undefined && rows.length > 0) changed(table);
        return rows;
      },
      async run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
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

/** `12.3 commits/cycle (srv_callbacks 4.1, tx:txq_events+txq_transactions 2.0, …)`. */
export function describeCommits(counts: CommitCounts, cycles: number): string {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const parts = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => `${label} ${(n / cycles).toFixed(2)}`);
  return `${(total / cycles).toFixed(2)} commits/cycle (${parts.join(', ')})`;
}
