import type { Logger } from '@fleetkit/core';

/** Work the engine starts without awaiting (timeouts, dispatch, wake-ups), so `idle()` and `close()` can wait for it. */
export class Background {
  readonly #running = new Set<Promise<unknown>>();
  readonly #logger: Logger;
  quiet = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(work: Promise<unknown>): void {
    const settled = work.catch((cause: unknown) => {
      if (!this.quiet) this.#logger.error('txqueue background work failed', { cause: String(cause) });
    });
    this.#running.add(settled);
    void settled.finally(() => this.#running.delete(settled));
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
