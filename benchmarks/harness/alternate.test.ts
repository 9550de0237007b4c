import { describe, expect, it } from 'vitest';
import { alternateBest } from './alternate.ts';

describe('alternateBest', () => {
  it('runs both sides the same number of times, alternating, and keeps each side’s best rate', async () => {
    const calls: string[] = [];
    const rates = { ours: [1, 5, 3, 2], peer: [9, 4, 7, 6] };
    const side = (name: 'ours' | 'peer') => async (): Promise<number> => {
      calls.push(name);
      return rates[name][calls.filter((c) => c === name).length - 1]!;
    };
    const result = await alternateBest({ warmups: 1, rounds: 3 }, side('ours'), side('peer'));
    expect(calls).toEqual(['ours', 'peer', 'ours', 'peer', 'ours', 'peer', 'ours', 'peer']);
    // the warm-up's rates (1 and 9) are not kept
    expect(result).toEqual({ ours_hz: 5, peer_hz: 7 });
  });
});

describe('alternateBest with keep: median', () => {
  it('keeps the middle rate of each side, so one lucky run does not decide', async () => {
    const rates = { ours: [100, 1, 50, 3], peer: [100, 2, 4, 90] };
    const next = { ours: 0, peer: 0 };
    const side = (name: 'ours' | 'peer') => async (): Promise<number> => rates[name][next[name]++]!;
    const result = await alternateBest({ warmups: 1, rounds: 3, keep: 'median' }, side('ours'), side('peer'));
    expect(result).toEqual({ ours_hz: 3, peer_hz: 4 });
  });
});
