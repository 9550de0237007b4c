import type { Clock, TimerHandle } from './clock.ts';
import { CoreError, CoreErrorCode } from './errors.ts';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Options of {@link ManualClock}. */
export interface ManualClockOptions {
  /** Initial wall time in epoch ms. Default: 2013-01-01T00:00:00Z (the manual's year). */
  readonly wall?: number;
  /** Initial monotonic time. Default: 0. */
  readonly monotonic?: number;
}

/**
 * A clock that moves only when told to, for deterministic tests of timeouts:
 * `advance(ms)` fires due timers in deadline order (ties in creation order),
 * including timers those callbacks schedule inside the advanced window.
 */
export class ManualClock implements Clock {
  #wall: number;
  #mono: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(options: ManualClockOptions = {}) {
    this.#wall = options.wall ?? Date.UTC(2013, 0, 1);
    this.#mono = options.monotonic ?? 0;
  }

  now(): number {
    return this.#wall;
  }

  monotonic(): number {
    return this.#mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ id, due: this.#mono + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Number of timers that have not fired yet. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves both clocks forward by `ms`, firing every timer that falls due. */
  advance(ms: number): void {
    if (!(ms >= 0)) {
      throw new CoreError(
        CoreErrorCode.InvalidArgument,
        `Cannot advance a clock by ${ms} ms: expected a non-negative number`,
      );
    }
    const target = this.#mono + ms;
    for (;;) {
      const next = this.#earliestDue(target);
      if (next === undefined) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#wall += next.due - this.#mono;
      this.#mono = next.due;
      next.fn();
    }
    this.#wall += target - this.#mono;
    this.#mono = target;
  }

  /** Sets the wall clock alone, as an NTP step would; timers are unaffected. */
  setWall(epochMs: number): void {
    this.#wall = epochMs;
  }

  #earliestDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.due <= limit && (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)))
        best = t;
    }
    return best;
  }
}
