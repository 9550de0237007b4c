import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_KEYS as keys, TEST_HEARTBEAT_MS } from '../test/our-broker.ts';
import { CheckContext } from './context.ts';
import { progressLine, runBrokerConformance } from './run.ts';
import { RUNTIMES, type RunningBroker, type Runtime, startBroker } from './start-broker.ts';

const args = [
  '--device-key',
  keys.deviceKey,
  '--control-key',
  keys.controlKey,
  '--heartbeat-ms',
  String(TEST_HEARTBEAT_MS),
];

describe.each(Object.keys(RUNTIMES) as Runtime[])('fleetkit-broker on %s', (runtime) => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker(runtime, args);
  });
  afterAll(() => broker.stop());

  it('passes every check of the broker conformance suite', async () => {
    const lines: string[] = [];
    const results = await runBrokerConformance(
      // restart and shutdown end the broker: the signal tests below check them, each on a broker of its own
      { url: broker.url, ...keys, heartbeatMs: TEST_HEARTBEAT_MS },
      { onResult: (r, n) => lines.push(progressLine(r, n)) },
    );
    console.log(`${runtime}:\n${lines.join('\n')}`);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.filter((r) => r.skipped !== undefined).map((r) => r.name)).toEqual([
      expect.stringMatching(/^restart: /),
      expect.stringMatching(/^shutdown: /),
    ]);
  });

  it.each([
    ['SIGTERM', 1001],
    ['SIGHUP', 1012],
  ] as const)('closes registered devices with the close code of 002 on %s (%i) and exits 0', async (signal, code) => {
    const own = await startBroker(runtime, args);
    const ctx = new CheckContext({ url: own.url, ...keys }, `sig-${runtime}`);
    const device = await ctx.registered(ctx.id('d'));
    const control = await ctx.control(ctx.id('d'));
    own.child.kill(signal);
    expect(await device.closeCode()).toBe(code);
    expect(await control.closeCode()).toBe(code);
    expect(await own.exited).toBe(0);
    await ctx.dispose();
  });
});
