import { describe, expect, it } from 'vitest';
import { sleep } from './clock.ts';
import { CoreErrorCode } from './errors.ts';
import { ManualClock } from './manual-clock.ts';

describe('ManualClock', () => {
  it('fires timers only when advanced past their deadline, in deadline order', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    clock.setTimeout(() => fired.push('c'), 200);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(101);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('shows each timer the time it was due, and fires timers scheduled by timers', () => {
    const clock = new ManualClock({ wall: 1_000, monotonic: 0 });
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.monotonic());
      clock.setTimeout(() => seen.push(clock.monotonic()), 10);
    }, 5);
    clock.advance(100);
    expect(seen).toEqual([5, 15]);
    expect(clock.monotonic()).toBe(100);
    expect(clock.now()).toBe(1_100);
  });

  it('cancels a timer', () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(handle);
    clock.advance(20);
    expect(fired).toBe(false);
  });

  it('moves the wall clock alone without firing timers', () => {
    const clock = new ManualClock({ wall: 0 });
    let fired = false;
    clock.setTimeout(() => (fired = true), 10);
    clock.setWall(1e12);
    expect(clock.now()).toBe(1e12);
    expect(fired).toBe(false);
  });

  it('rejects a negative advance with a typed error', () => {
    expect(() => new ManualClock().advance(-1)).toThrowError(
      expect.objectContaining({ code: CoreErrorCode.InvalidArgument }),
    );
  });

  it('drives sleep and its abort', async () => {
    const clock = new ManualClock();
    const done = sleep(clock, 50);
    clock.advance(50);
    await expect(done).resolves.toBeUndefined();
    const controller = new AbortController();
    const aborted = sleep(clock, 50, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });
});
