/**
 * Runs async rounds one at a time: a call while a round is under way asks
 * for one more round after it and shares the same promise, so a burst of
 * wake-ups (NOTIFY, timers, acks) costs at most one extra pass.
 */
export class Coalescer {
  #running: Promise<void> | undefined;
  #again = false;

  run(round: () => Promise<void>): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await round();
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
