import { ManualClock, SeededRandom } from '@fleetkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedTimers } from './timer-heap.ts';

describe('SharedTimers', () => {
  it('fires every timer in due order (ties in creation order) on one timer of the clock beneath', () => {
    const base = new ManualClock();
    const timers = new SharedTimers(base);
    const fired: string[] = [];
    timers.setTimeout(() => fired.push('c'), 30);
    timers.setTimeout(() => fired.push('a'), 10);
    timers.setTimeout(() => fired.push('b1'), 20);
    timers.setTimeout(() => fired.push('b2'), 20);
    expect(base.pendingTimers).toBe(1);
    expect(timers.pending).toBe(4);
    base.advance(19);
    expect(fired).toEqual(['a']);
    base.advance(11);
    expect(fired).toEqual(['a', 'b1', 'b2', 'c']);
    expect(base.pendingTimers).toBe(0);
  });

  it('never fires a cleared timer, and re-arms for one added earlier than the armed one', () => {
    const base = new ManualClock();
    const timers = new SharedTimers(base);
    const fired: number[] = [];
    const late = timers.setTimeout(() => fired.push(100), 100);
    timers.setTimeout(() => fired.push(5), 5);
    timers.clearTimeout(late);
    timers.clearTimeout(late);
    expect(timers.pending).toBe(1);
    base.advance(200);
    expect(fired).toEqual([5]);
  });

  it('runs timers a callback schedules inside the window, and any mix of timers in order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000), { maxLength: 60 }), fc.integer(), (delays, seed) => {
        const base = new ManualClock();
        const timers = new SharedTimers(base);
        const random = new SeededRandom(seed);
        const fired: number[] = [];
        const handles = delays.map((delay) => timers.setTimeout(() => fired.push(base.monotonic()), delay));
        const cleared = new Set(handles.filter(() => random.float() < 0.3));
        for (const handle of cleared) timers.clearTimeout(handle);
        timers.setTimeout(() => timers.setTimeout(() => fired.push(base.monotonic()), 1), 500);
        base.advance(2_000);
        const expected = [...delays.filter((_, index) => !cleared.has(handles[index]!)), 501].sort((a, b) => a - b);
        expect(fired).toEqual(expected);
      }),
    );
  });

  it('lets go of everything on close', () => {
    const base = new ManualClock();
    const timers = new SharedTimers(base);
    const fired: number[] = [];
    timers.setTimeout(() => fired.push(1), 1);
    timers.close();
    base.advance(10);
    expect(fired).toEqual([]);
    expect(base.pendingTimers).toBe(0);
  });
});
