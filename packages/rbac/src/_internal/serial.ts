/**
 * Runs async sections one at a time, so the order changes reach the store is
 * the order they reach the in-memory indexes.
 */
export class Serial {
  #tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
