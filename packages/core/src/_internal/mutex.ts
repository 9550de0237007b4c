/** Serialises async sections on one resource (a single SQLite connection). */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `fn` after every earlier holder has finished. */
  lock<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
