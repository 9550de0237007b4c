import type { Clock, Logger, SqlDriver, SqlExecutor } from '@fleetkit/core';
import type { Dialect } from '../dialects/dialect.ts';
import type { GroupResolver } from '../types.ts';
import type { TxRow } from './rows.ts';

/** What every operation needs: storage and its dialect, time, settings and the payload cache. */
export interface Context {
  readonly storage: SqlDriver;
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly groups: GroupResolver | undefined;
  readonly redeliverAfterMs: number;
  readonly cancelTimeoutMs: number;
  readonly defaultTimeoutMs: number;
  readonly payloads: PayloadCache;
}

/**
 * One write of the engine: the SQL transaction its statements run in, the
 * engine's context, the effects to apply after COMMIT and the time it runs
 * at. Made once per attempt of a write and handed whole to every step of it.
 */
export interface Operation {
  /** The SQL transaction (named `sql`: a "transaction" here is a queued one). */
  readonly sql: SqlExecutor;
  readonly context: Context;
  readonly effects: Effects;
  readonly now: number;
}

/** Side effects of a committed write, applied by the engine after COMMIT. */
export class Effects {
  /** Device keys to wake, here and in every process. */
  readonly wake = new Set<string>();
  /** Device keys to wake in this process only: no other process waits on them (wake.ts). */
  readonly wakeHere = new Set<string>();
  /** Earliest new deadline, to arm the timer. */
  deadline = Number.POSITIVE_INFINITY;
  events = 0;
}

/**
 * Payloads of group transactions, read once and kept: a payload never
 * changes after enqueue, and 100k sub-transactions share their parent's.
 */
export class PayloadCache {
  readonly #map = new Map<string, unknown>();
  readonly #limit: number;

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  async get(executor: SqlExecutor, target: string, id: number): Promise<unknown> {
    const key = `${target}#${id}`;
    if (this.#map.has(key)) return this.#map.get(key);
    const [row] = await executor.query<Pick<TxRow, 'payload'>>(
      'SELECT payload FROM txq_tx WHERE target = $1 AND id = $2',
      [target, id],
    );
    const payload = row?.payload == null ? undefined : JSON.parse(row.payload);
    if (this.#map.size >= this.#limit) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, payload);
    return payload;
  }

  /**
   * The payload of any row: its own, parsed at once (not from an async
   * function: every device transaction's view and delivery awaits it), or,
   * as a promise, its parent's.
   */
  of(executor: SqlExecutor, row: Pick<TxRow, 'payload' | 'parent_target' | 'parent_id'>): unknown {
    if (row.payload !== null) return JSON.parse(row.payload);
    if (row.parent_target === null) return undefined;
    return this.get(executor, row.parent_target, Number(row.parent_id));
  }
}
