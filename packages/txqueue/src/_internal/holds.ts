import type { Clock, TimerHandle } from '@fleetkit/core';

/**
 * The delivery holds this process handed out, so the device is woken when
 * one runs out: its transaction is then handed out again (a redelivery), and
 * a long-polling call-in or a work hook should hear of it. A final ack seen
 * here releases the hold; one that went to another process, or a timeout,
 * leaves it to run out and wake the device for nothing, which a wake-up may
 * do (it is a hint). Nothing is read from storage: a hold's end is known
 * when it is handed out.
 */
export class Holds {
  readonly #clock: Clock;
  readonly #expired: (keys: readonly string[]) => void;
  /**
   * `<device key>#<id>` → end of the hold (epoch ms), in the order they were
   * set: every hold lasts `redeliverAfterMs`, so this is the order they end
   * in (a wall clock stepped back may make one come a little late).
   */
  readonly #ends = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  /** `expired` gets the device keys whose holds ran out. */
  constructor(clock: Clock, expired: (keys: readonly string[]) => void) {
    this.#clock = clock;
    this.#expired = expired;
  }

  /** A delivery of transaction `id` to device `key` is held until `until`. */
  hold(key: string, id: number, until: number): void {
    const entry = `${key}#${id}`;
    // delete first: a renewed hold moves to the end, where its end belongs
    this.#ends.delete(entry);
    this.#ends.set(entry, until);
    this.#arm(until);
  }

  /** The transaction is final: its hold wakes no one. */
  release(key: string, id: number): void {
    this.#ends.delete(`${key}#${id}`);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#ends.clear();
  }

  #arm(at: number): void {
    if (this.#stopped || at >= this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const keys = new Set<string>();
    for (const [entry, end] of this.#ends) {
      if (end > now) {
        this.#arm(end);
        break;
      }
      this.#ends.delete(entry);
      keys.add(entry.slice(0, entry.lastIndexOf('#')));
    }
    if (keys.size > 0) this.#expired([...keys]);
  }
}
