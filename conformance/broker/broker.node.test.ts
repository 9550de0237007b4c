import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckContext } from './context.ts';
import { runBrokerConformance } from './run.ts';
import { type RunningBroker, RUNTIMES, type Runtime, startBroker } from './start-broker.ts';

const keys = { deviceKey: 'conformance-device-key', controlKey: 'conformance-control-key' };
const args = ['--device-key', keys.deviceKey, '--control-key', keys.controlKey];

describe.each(Object.keys(RUNTIMES) as Runtime[])('fleetkit-broker on %s', (runtime) => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker(runtime, args);
  });
  afterAll(() => broker.stop());

  it('passes every check of the broker conformance suite', async () => {
    const lines: string[] = [];
    const results = await runBrokerConformance(
      { url: broker.url, ...keys },
      {
        onResult: (r, n) =>
          lines.push(`${r.ok ? 'ok  ' : 'FAIL'} ${r.index}/${n} ${r.name}${r.error ? `: ${r.error}` : ''}`),
      },
    );
    console.log(`${runtime}:\n${lines.join('\n')}`);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(18);
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
