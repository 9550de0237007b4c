import { ManualClock } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Handlers } from '../src/index.ts';
import { agentFor, cuttable } from './agent-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

/** Asserts a delay is `nominal` ±20 % (the broker client's jitter). */
function around(delay: number, nominal: number): void {
  expect(delay).toBeGreaterThanOrEqual(Math.round(nominal * 0.8));
  expect(delay).toBeLessThanOrEqual(Math.round(nominal * 1.2));
}

describe('backoff on 429 and network errors: capped exponential with jitter', () => {
  describe('429 from the server rate limit', () => {
    // the server and the device share the clock, so the server's token bucket refills as the test advances it
    const clock = new ManualClock();
    let t: TestServer;
    beforeAll(async () => {
      t = await startServer({ clock, devices: { rateBurst: 2, ratePerSecond: 1 } });
    });
    afterAll(async () => {
      await t.close();
    });

    it('waits at least the Retry-After the server names, then goes on', async () => {
      const { agent, events } = agentFor(t, 'busy-1', { clock });
      agent.start();
      // the recovery check and the first beat take the two tokens; the next beat is refused
      await events.next('waiting');
      agent.reportNow();
      const backoff = await events.next('backoff');
      expect(backoff).toMatchObject({
        step: 'telemetry',
        error: { code: 'rate-limited', details: { retryAfterMs: 1000 } },
      });
      expect(backoff.delayMs).toBeGreaterThanOrEqual(1000);
      around(backoff.delayMs, 1000);
      clock.advance(backoff.delayMs);
      await events.next('telemetry');
      await agent.stop();
    });
  });

  describe('network errors', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startServer();
    });
    afterAll(async () => {
      await t.close();
    });

    it('doubles from 1 s to a 30 s cap while the network is down, and starts from 1 s again after a success', async () => {
      let down = false;
      const fetch = cuttable(t.fetch, () => down);
      const { agent, clock, events } = agentFor(t, 'net-1', { fetch });
      agent.start();
      const wait = await events.next('waiting');
      down = true;
      clock.advance(wait.delayMs);
      const nominal = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
      for (const [index, expected] of nominal.entries()) {
        const backoff = await events.next('backoff');
        expect(backoff.step).toBe('telemetry');
        expect(backoff.error).toMatchObject({ code: 'unavailable' });
        around(backoff.delayMs, expected);
        if (index < nominal.length - 1) clock.advance(backoff.delayMs);
      }
      down = false;
      clock.advance(30_000 * 1.2);
      await events.next('telemetry');
      const next = await events.next('waiting');
      down = true;
      clock.advance(next.delayMs);
      around((await events.next('backoff')).delayMs, 1_000);
      await agent.stop();
    });

    it('retries a report that did not arrive instead of carrying the command out again', async () => {
      let runs = 0;
      let down = false;
      const fetch = cuttable(t.fetch, () => down);
      const handlers = new Handlers().command('agent-test:echo', () => {
        runs++;
        // the network goes down while the command runs: its outcome cannot be reported yet
        down = true;
        return { echoed: 'once' };
      });
      const { agent, clock, events } = agentFor(t, 'net-2', { fetch, handlers });
      agent.start();
      const wait = await events.next('waiting');
      const id = await t.send('net-2', 'echo');
      clock.advance(wait.delayMs);
      const backoff = await events.next('backoff');
      expect(backoff.step).toBe('command-update');
      down = false;
      clock.advance(backoff.delayMs);
      await events.next('command', (e) => e.status === 'done');
      expect(runs).toBe(1);
      expect(await t.transaction('net-2', id)).toMatchObject({
        state: 'complete',
        'device-result': { echoed: 'once' },
      });
      await agent.stop();
    });
  });
});
