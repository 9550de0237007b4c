import type { Clock, Random, TimerHandle } from '@fleetkit/core';
import { Coalescer } from './coalesce.ts';

/**
 * Runs maintenance (timeouts, event retries) from two timers: one at the
 * earliest known deadline, so timeouts are exact, and one every `tickMs`
 * (with ±25 % jitter, so processes sharing PostgreSQL do not sweep in step),
 * for deadlines other processes set. One pass at a time; a request during a
 * pass runs one more after it.
 */
export class Scheduler {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #tickMs: number;
  readonly #pass: () => Promise<number | undefined>;
  readonly #background: (work: Promise<unknown>) => void;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #tickTimer: TimerHandle | undefined;
  readonly #passes = new Coalescer();
  #stopped = false;

  /** `pass` runs maintenance and resolves to the next open deadline. */
  constructor(
    clock: Clock,
    random: Random,
    tickMs: number,
    pass: () => Promise<number | undefined>,
    background: (work: Promise<unknown>) => void,
  ) {
    this.#clock = clock;
    this.#random = random;
    this.#tickMs = tickMs;
    this.#pass = pass;
    this.#background = background;
  }

  start(firstDeadline: number | undefined): void {
    if (firstDeadline !== undefined) this.armAt(firstDeadline);
    this.#armTick();
  }

  /** Makes sure a pass runs at `at` (epoch ms) or earlier. */
  armAt(at: number): void {
    if (this.#stopped || at >= this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#background(this.run());
      },
      Math.max(0, at - this.#clock.now()),
    );
  }

  run(): Promise<void> {
    return this.#passes.run(async () => {
      if (this.#stopped) return;
      const next = await this.#pass();
      if (next !== undefined) this.armAt(next);
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#tickTimer !== undefined) this.#clock.clearTimeout(this.#tickTimer);
  }

  #armTick(): void {
    if (this.#stopped) return;
    const delay = Math.round(this.#tickMs * (0.75 + 0.5 * this.#random.float()));
    this.#tickTimer = this.#clock.setTimeout(() => {
      this.#armTick();
      this.#background(this.run());
    }, delay);
  }
}
