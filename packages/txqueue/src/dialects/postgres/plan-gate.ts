import type { SqlDriver } from '@fleetkit/core';

/**
 * Whether `txq_tx` is big enough for the batched statements to be prepared
 * (fast-batch.ts). A prepared statement keeps the generic plan it made at its
 * first runs; made on a new table, the plan of the batched updates was a
 * sequential scan of `txq_tx` (cheaper than ten TID lookups on a few pages),
 * kept while the table grew. From 1 MiB (128 pages, a few thousand rows) on,
 * ten TID lookups cost a fraction of a scan, so a plan made then stays a
 * lookup; below it, the batches run unprepared and are planned on every call.
 * Once big the answer stays: retention deletes rows (_internal/retention.ts), but the
 * space is reused and VACUUM gives back only empty pages at the table's end.
 * A table that did shrink below 1 MiB would have new connections prepare
 * plans on it, which is the case this gate avoids; a queue that small after
 * a purge is one whose batches are small too.
 */
export class PlanGate {
  static readonly BYTES = 1 << 20;
  #big = false;

  get prepared(): boolean {
    return this.#big;
  }

  /** Reads the table's size, until it is big enough. */
  async refresh(storage: SqlDriver): Promise<void> {
    if (this.#big) return;
    const [row] = await storage.query<{ n: number }>("SELECT pg_relation_size('txq_tx') AS n");
    this.#big = Number(row?.n ?? 0) >= PlanGate.BYTES;
  }
}
