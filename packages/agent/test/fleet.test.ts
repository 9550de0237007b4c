import { ManualClock, SeededRandom } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Behaviour, type Fleet, simulateFleet } from '../src/index.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus } from './package-fixture.ts';
import { METER_KEY, startServer, type TestServer } from './server-fixture.ts';

describe('simulateFleet against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ devices: { rateBurst: 1_000, ratePerSecond: 1_000 }, packages: { chunkSize: CHUNK } });
  });
  afterAll(async () => {
    await t.close();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  /** Moves the fleet's clock a second at a time until `done()` holds. */
  async function runUntil(clock: ManualClock, done: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let second = 0; second < 3_600; second++) {
      if (await done()) return;
      clock.advance(1_000);
      await settle();
    }
    throw new Error(`not reached within an hour of fleet time: ${what}`);
  }

  function fleetOf(prefix: string, count: number, behaviours?: Partial<Record<Behaviour, number>>) {
    const clock = new ManualClock();
    const fleet = simulateFleet({
      count,
      url: t.url,
      fetch: t.fetch,
      registration: (index) => ({ account: 'acme', provisioningKey: METER_KEY, deviceId: `${prefix}-${index}` }),
      ...(behaviours === undefined ? {} : { behaviours }),
      script: {
        slowMs: 3_000,
        rebootMs: 5_000,
        flakyRate: 0.3,
        onlineFor: { minMs: 5_000, maxMs: 10_000 },
        offlineFor: { minMs: 5_000, maxMs: 10_000 },
      },
      timing: { telemetryInterval: { minMs: 1_000, maxMs: 2_000 } },
      clock,
      random: new SeededRandom(11),
    });
    return { fleet, clock };
  }

  async function finalStates(fleet: Fleet, prefix: string, ids: number[]) {
    return Promise.all(fleet.devices.map((device) => t.transaction(`${prefix}-${device.index}`, ids[device.index]!)));
  }

  it('registers every device, and each runs the command sent to it', async () => {
    const { fleet, clock } = fleetOf('steady', 20);
    await runUntil(clock, () => fleet.counts.registered === 20, 'all registered');
    expect(new Set(fleet.devices.map((device) => device.agent.auth?.id)).size).toBe(20);
    const ids = await Promise.all(
      fleet.devices.map((device) => t.send(`steady-${device.index}`, 'echo', { text: 'hi' })),
    );
    await runUntil(clock, () => fleet.counts.commandsDone === 20, 'all commands done');
    for (const transaction of await finalStates(fleet, 'steady', ids)) {
      expect(transaction).toMatchObject({ state: 'complete', 'device-result': { echoed: { text: 'hi' } } });
    }
    await fleet.stop();
  });

  it('plays every scripted behaviour: slow, flaky, rebooting, failing and offline devices all end their commands', async () => {
    const { fleet, clock } = fleetOf('mixed', 24, {
      steady: 1,
      slow: 1,
      flaky: 1,
      rebooting: 1,
      failing: 1,
      offline: 1,
    });
    const kinds = new Set(fleet.devices.map((device) => device.behaviour));
    expect(kinds).toEqual(new Set(['steady', 'slow', 'flaky', 'rebooting', 'failing', 'offline']));
    await runUntil(clock, () => fleet.counts.registered >= 24, 'all registered');
    const ids = await Promise.all(fleet.devices.map((device) => t.send(`mixed-${device.index}`, 'echo')));
    await runUntil(
      clock,
      async () => (await finalStates(fleet, 'mixed', ids)).every((transaction) => transaction.final === true),
      'every command final',
    );
    const transactions = await finalStates(fleet, 'mixed', ids);
    for (const device of fleet.devices) {
      const transaction = transactions[device.index]!;
      if (device.behaviour === 'failing') {
        expect(transaction).toMatchObject({
          'rpc-status': 'device-error',
          'device-result': { message: 'simulated failure' },
        });
      } else if (device.behaviour === 'rebooting') {
        expect(transaction).toMatchObject({ state: 'complete', 'device-result': { rebooted: true } });
      } else {
        expect(transaction, device.behaviour).toMatchObject({ state: 'complete' });
      }
    }
    const rebooting = fleet.devices.filter((device) => device.behaviour === 'rebooting').length;
    expect(fleet.counts.reboots).toBe(rebooting);
    // flaky and offline devices lost calls on the way, and backed off
    expect(fleet.counts.backoffs).toBeGreaterThan(0);
    await fleet.stop();
  });

  it('installs a package on every device: failing installs fail, rebooting devices reboot during the install and are confirmed after', async () => {
    await createPackage(t, 'sim-fw', imageOf(5 * CHUNK + 1, 8), { version: '1.2' });
    const { fleet, clock } = fleetOf('pkg', 12, { steady: 1, slow: 1, rebooting: 1, failing: 1 });
    await runUntil(clock, () => fleet.counts.registered >= 12, 'all registered');
    const ids = fleet.devices.map((device) => `pkg-${device.index}`);
    await must(t, 'exodm:install-package', { 'package-name': 'sim-fw', targets: ids });
    const statuses = () => Promise.all(ids.map(async (id) => packageStatus(t, 'sim-fw', id)));
    await runUntil(
      clock,
      async () =>
        (await statuses()).every(
          (status) => status.confirmed === true || status['package-status'] === 'install-failed',
        ),
      'every install final',
    );
    const final = await statuses();
    for (const device of fleet.devices) {
      const status = final[device.index]!;
      if (device.behaviour === 'failing') {
        expect(status).toMatchObject({ 'package-status': 'install-failed', reason: 'simulated failure' });
      } else {
        expect(status, device.behaviour).toMatchObject({
          'package-status': 'installed',
          confirmed: true,
          version: '1.2',
        });
        expect(device.store.state?.packages).toEqual({ 'sim-fw': '1.2' });
      }
    }
    const count = (behaviour: Behaviour) => fleet.devices.filter((device) => device.behaviour === behaviour).length;
    expect(count('rebooting')).toBeGreaterThan(0);
    // down in the middle of the install, then once more for the install to take effect
    expect(fleet.counts.reboots).toBe(2 * count('rebooting'));
    expect(fleet.counts.packagesFailed).toBe(count('failing'));
    expect(fleet.counts.packages).toBe(12 - count('failing'));
    await fleet.stop();
  });

  it('refuses a count or a behaviour weight it cannot use', () => {
    const base = { url: t.url, registration: () => ({ account: 'a', provisioningKey: 'k' }) };
    expect(() => simulateFleet({ ...base, count: -1 })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => simulateFleet({ ...base, count: 1, behaviours: { sleepy: 1 } as never })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        details: expect.objectContaining({ path: 'behaviours.sleepy' }),
      }),
    );
  });
});
