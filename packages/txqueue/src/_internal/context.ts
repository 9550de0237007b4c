import type { Clock, Logger, SqlDriver, SqlExecutor } from '@fleetkit/core';
import type { GroupResolver } from '../types.ts';
import type { PlanGate } from './plan-gate.ts';
import type { TxRow } from './rows.ts';

/** What every operation needs: storage, time, settings and the payload cache. */
export interface Ctx {
  readonly db: SqlDriver;
  readonly pg: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly groups: GroupResolver | undefined;
  readonly redeliverAfterMs: number;
  readonly cancelTimeoutMs: number;
  readonly defaultTimeoutMs: number;
  readonly payloads: PayloadCache;
  /** PostgreSQL: whether the batched statements may be prepared. */
  readonly plans: PlanGate;
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

/** `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer needs none. */
export function skipLocked(ctx: Pick<Ctx, 'pg'>): string {
  return ctx.pg ? ' FOR UPDATE SKIP LOCKED' : '';
}

export function forUpdate(ctx: Ctx): string {
  return ctx.pg ? ' FOR UPDATE' : '';
}

/** A set-returning source of the strings in a JSON array parameter, as `j(value)`. */
export function jsonStrings(ctx: Ctx, param: string): string {
  return ctx.pg ? `jsonb_array_elements_text(${param}::jsonb) AS j(value)` : `json_each(${param}) AS j`;
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

  async get(ex: SqlExecutor, target: string, id: number): Promise<unknown> {
    const key = `${target}#${id}`;
    if (this.#map.has(key)) return this.#map.get(key);
    const [row] = await ex.query<Pick<TxRow, 'payload'>>('SELECT payload FROM txq_tx WHERE target = $1 AND id = $2', [
      target,
      id,
    ]);
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
  of(ex: SqlExecutor, row: Pick<TxRow, 'payload' | 'parent_target' | 'parent_id'>): unknown {
    if (row.payload !== null) return JSON.parse(row.payload);
    if (row.parent_target === null) return undefined;
    return this.get(ex, row.parent_target, Number(row.parent_id));
  }
}
