/**
 * Group commit: calls that arrive while a statement of their kind is in
 * flight wait for it and then go together, as one multi-row statement (one
 * round trip, one commit). A call that finds none in flight starts at once,
 * alone, so a lone caller waits for nothing. Two inputs with the same key
 * never share a batch (the later one goes in the next). A failed batch of
 * several is run again one input at a time, so each caller gets its own
 * outcome (a deadlock between two processes' batches costs a retry, not an
 * error).
 */
interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  readonly #run: (inputs: readonly I[]) => Promise<O[]>;
  readonly #key: (input: I) => string | undefined;
  readonly #max: number;
  #waiting: Waiting<I, O>[] = [];
  #busy = false;

  /** `run` returns one output per input, in order; `max` bounds a batch. */
  constructor(run: (inputs: readonly I[]) => Promise<O[]>, key: (input: I) => string | undefined, max = 64) {
    this.#run = run;
    this.#key = key;
    this.#max = max;
  }

  run(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      if (!this.#busy) this.#next();
    });
  }

  #next(): void {
    if (this.#waiting.length === 0) return;
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    for (const w of this.#waiting) {
      const key = this.#key(w.input);
      if (batch.length >= this.#max || (key !== undefined && keys.has(key))) {
        rest.push(w);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(w);
    }
    this.#waiting = rest;
    this.#busy = true;
    void this.#settle(batch).finally(() => {
      this.#busy = false;
      this.#next();
    });
  }

  async #settle(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const out = await this.#run(batch.map((waiting) => waiting.input));
      for (const [i, waiting] of batch.entries()) waiting.resolve(out[i]!);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    await Promise.all(
      batch.map(async (waiting) => {
        try {
          waiting.resolve((await this.#run([waiting.input]))[0]!);
        } catch (error) {
          waiting.reject(error);
        }
      }),
    );
  }
}
