/** A transaction and URL whose rows wait: how many writes are still to land, and what came before them. */
interface Block {
  /** Writes (a failure mark, hand-backs) not yet stored. */
  pending: number;
  /** The last statement begun when the last write landed; undefined while writes are pending. */
  settledAt: number | undefined;
}

/**
 * Which rows leased to this process must go back unsent because an earlier
 * row of their transaction and URL failed (or was handed back, or its lease
 * lost) while the statement leasing them ran. The lease rule (rows.ts
 * `waitsFor`) lets a statement lease a row behind one this process holds;
 * once that earlier row's failure is stored, statements begun afterwards
 * see it and lease nothing behind it, but a statement begun before may have.
 * So every leasing statement gets a number when it begins, and a row it
 * returns is stale when its chain is blocked and the statement began before
 * the block's writes had all landed.
 */
export class Blocks {
  readonly #blocks = new Map<string, Block>();
  /** Leasing statements still running, by number. */
  readonly #running = new Set<number>();
  #last = 0;

  /** A leasing statement begins: its number. */
  begin(): number {
    this.#last++;
    this.#running.add(this.#last);
    return this.#last;
  }

  /** A leasing statement ended (its rows taken): blocks no running statement can affect are dropped. */
  end(statement: number): void {
    this.#running.delete(statement);
    this.#sweep();
  }

  /** One more write for `key` to land before rows behind it may be taken again. */
  block(key: string): void {
    const block = this.#blocks.get(key);
    if (block === undefined) this.#blocks.set(key, { pending: 1, settledAt: undefined });
    else {
      block.pending++;
      block.settledAt = undefined;
    }
  }

  /** A write for `key` landed. */
  settle(key: string): void {
    const block = this.#blocks.get(key);
    if (block === undefined) return;
    block.pending--;
    if (block.pending === 0) {
      block.settledAt = this.#last;
      this.#sweep();
    }
  }

  /** Whether a row of `key` leased by `statement` must go back. */
  stale(key: string, statement: number): boolean {
    const block = this.#blocks.get(key);
    return block !== undefined && (block.settledAt === undefined || statement <= block.settledAt);
  }

  #sweep(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const statement of this.#running) oldest = Math.min(oldest, statement);
    for (const [key, block] of this.#blocks) {
      if (block.settledAt !== undefined && block.settledAt < oldest) this.#blocks.delete(key);
    }
  }
}
