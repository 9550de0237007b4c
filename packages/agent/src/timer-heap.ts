import { type Clock, systemClock, type TimerHandle } from '@fleetkit/core';

/** A timer of {@link SharedTimers}: due time, order of creation, and the callback (cleared when cancelled). */
interface Entry {
  readonly due: number;
  readonly order: number;
  callback: (() => void) | undefined;
}

function earlier(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}

/**
 * A clock whose timers all ride on one timer of the clock beneath: a heap
 * ordered by due time, so thousands of simulated agents cost one runtime
 * timer and a small object each. Timers fire in due order (ties in creation
 * order), like `ManualClock`.
 */
export class SharedTimers implements Clock {
  readonly #base: Clock;
  readonly #heap: Entry[] = [];
  #order = 0;
  #cancelled = 0;
  #timer: TimerHandle | undefined;
  #timerDue = Number.POSITIVE_INFINITY;

  constructor(base: Clock = systemClock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now();
  }

  monotonic(): number {
    return this.#base.monotonic();
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#heap.length - this.#cancelled;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const entry: Entry = { due: this.#base.monotonic() + Math.max(0, ms), order: this.#order++, callback };
    this.#push(entry);
    this.#arm();
    return entry;
  }

  clearTimeout(handle: TimerHandle): void {
    const entry = handle as Entry;
    if (entry.callback === undefined) return;
    entry.callback = undefined;
    this.#cancelled++;
    // cancelled entries wait in the heap until they reach its top; rebuild when they are most of it
    if (this.#cancelled > 1024 && this.#cancelled * 2 > this.#heap.length) this.#compact();
  }

  /** Cancels every timer and releases the underlying one. */
  close(): void {
    for (const entry of this.#heap) entry.callback = undefined;
    this.#heap.length = 0;
    this.#cancelled = 0;
    if (this.#timer !== undefined) this.#base.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    this.#dropCancelledTop();
    const top = this.#heap[0];
    if (top === undefined || top.due >= this.#timerDue) return;
    if (this.#timer !== undefined) this.#base.clearTimeout(this.#timer);
    this.#timerDue = top.due;
    this.#timer = this.#base.setTimeout(() => this.#fire(), Math.max(0, top.due - this.#base.monotonic()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
    const now = this.#base.monotonic();
    for (;;) {
      this.#dropCancelledTop();
      const top = this.#heap[0];
      if (top === undefined || top.due > now) break;
      this.#pop();
      const callback = top.callback;
      top.callback = undefined;
      callback?.();
    }
    this.#arm();
  }

  #dropCancelledTop(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.callback === undefined) {
      this.#pop();
      this.#cancelled--;
    }
  }

  #compact(): void {
    const live = this.#heap.filter((entry) => entry.callback !== undefined);
    this.#heap.length = 0;
    this.#cancelled = 0;
    for (const entry of live) this.#push(entry);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    let index = heap.push(entry) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}
