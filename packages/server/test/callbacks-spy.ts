// A driver wrapper for the callback outbox's tests: counts the outbox's
// writes by kind, and can hold the statements that mark rows done until the
// test lets them through (in a SQLite transaction that would hold the store:
// the tests hold only marks the sender writes alone).
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from '@fleetkit/core';

/** The outbox writes a test counts: statements that changed rows, by what they did (one may do two). */
export interface OutboxWrites {
  /** Statements inserting callback rows. */
  inserts: number;
  /** Claims that leased rows. */
  claims: number;
  /** Statements marking rows done (alone, or carried by an insert or a claim). */
  doneMarks: number;
}

function kinds(sql: string): (keyof OutboxWrites)[] {
  const found: (keyof OutboxWrites)[] = [];
  if (/\bINSERT INTO srv_callbacks\b/.test(sql)) found.push('inserts');
  if (/SET state = 'done'/.test(sql)) found.push('doneMarks');
  if (/UPDATE srv_callbacks SET leased_until = \$2, lease_owner = \$3/.test(sql)) found.push('claims');
  return found;
}

/** A driver that counts the outbox's writes and may hold its done marks. */
export class OutboxSpy {
  readonly writes: OutboxWrites = { inserts: 0, claims: 0, doneMarks: 0 };
  readonly driver: SqlDriver;
  #held: Promise<void> | undefined;
  #let: (() => void) | undefined;

  constructor(driver: SqlDriver) {
    const spy = this;
    const watch = (executor: SqlExecutor): SqlExecutor => ({
      dialect: executor.dialect,
      async query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
        await spy.#gate(sql);
        const rows = await executor.query<Row>(sql, params);
        spy.#count(sql, rows.length);
        return rows;
      },
      async run(sql: string, params?: readonly SqlValue[]) {
        await spy.#gate(sql);
        const result = await executor.run(sql, params);
        spy.#count(sql, result.changes);
        return result;
      },
    });
    const outside = watch(driver);
    this.driver = new Proxy(driver, {
      get(target, key, receiver) {
        if (key === 'query') return outside.query;
        if (key === 'run') return outside.run;
        if (key === 'transaction') {
          return <T>(fn: (tx: SqlExecutor) => Promise<T>) => target.transaction((tx) => fn(watch(tx)));
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** From now on, a statement marking rows done waits until {@link OutboxSpy.release}. */
  holdDoneMarks(): void {
    this.#held = new Promise((resolve) => {
      this.#let = resolve;
    });
  }

  release(): void {
    this.#let?.();
    this.#held = undefined;
  }

  async #gate(sql: string): Promise<void> {
    if (this.#held !== undefined && kinds(sql).includes('doneMarks')) await this.#held;
  }

  #count(sql: string, changed: number): void {
    if (changed === 0) return;
    for (const what of kinds(sql)) this.writes[what]++;
  }
}
