import { SeededRandom } from '@fleetkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRATION_INTERVAL, DEFAULT_TELEMETRY_INTERVAL, drawInterval, resolveTiming } from './timing.ts';

describe('timing', () => {
  it('defaults to 000: registration every 10–30 min, telemetry every 5–30 s', () => {
    expect(DEFAULT_REGISTRATION_INTERVAL).toEqual({ minMs: 600_000, maxMs: 1_800_000 });
    expect(DEFAULT_TELEMETRY_INTERVAL).toEqual({ minMs: 5_000, maxMs: 30_000 });
    expect(resolveTiming()).toEqual({
      registrationInterval: DEFAULT_REGISTRATION_INTERVAL,
      telemetryInterval: DEFAULT_TELEMETRY_INTERVAL,
      backoff: {},
      maxImmediateBeats: 20,
    });
  });

  it('draws every wait inside its range, and a fixed wait as it is', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), fc.integer(), (a, b, seed) => {
        const interval = { minMs: Math.min(a, b), maxMs: Math.max(a, b) };
        const drawn = drawInterval(interval, new SeededRandom(seed));
        return drawn >= interval.minMs && drawn <= interval.maxMs;
      }),
    );
    expect(drawInterval(1234, new SeededRandom(1))).toBe(1234);
  });

  it.each([
    [{ telemetryInterval: -1 }, 'timing.telemetryInterval'],
    [{ registrationInterval: { minMs: 5, maxMs: 1 } }, 'timing.registrationInterval'],
    [{ telemetryInterval: Number.NaN }, 'timing.telemetryInterval'],
    [{ maxImmediateBeats: 1.5 }, 'timing.maxImmediateBeats'],
  ])('refuses %j naming the field', (timing, path) => {
    expect(() => resolveTiming(timing)).toThrow(
      expect.objectContaining({ code: 'invalid-option', details: expect.objectContaining({ path }) }),
    );
  });
});
