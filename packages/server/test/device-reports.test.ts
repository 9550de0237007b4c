import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeCall, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

describe('what devices report, read by the backend as pseudo-attributes (reported-…, telemetry:<name>)', () => {
  let t: TestServer;
  const acme = () => acmeCall(t);
  const attributesOf = async (deviceId: string, attributes: string[]) =>
    (await acme()('exodm:lookup-device-attributes', { 'device-id': deviceId, attributes })).result;

  beforeAll(async () => {
    t = await startServer();
    await setUpAccount(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it("reads a device's last status, message, time and telemetry values, merged over reports as Xyte merges them", async () => {
    const device = await registered(t, 'r-1');
    await device.telemetry({
      status: 'online',
      message: 'warming up',
      timestamp: '2026-12-07T08:00:00.000Z',
      telemetries: { temperature: 21.5, door: { open: false } },
    });
    await device.telemetry({ status: 'error', telemetries: { temperature: 48 } });
    const names = ['reported-status', 'reported-message', 'telemetry:temperature', 'telemetry:door', 'telemetry:none'];
    expect(await attributesOf('r-1', names)).toEqual({
      result: 'ok',
      attributes: [
        { name: 'reported-status', val: 'error' },
        { name: 'telemetry:temperature', val: 48 },
        { name: 'telemetry:door', val: { open: false } },
      ],
    });
    const reportedAt = await attributesOf('r-1', ['reported-at']);
    const [at] = (reportedAt?.attributes ?? []) as { val: string }[];
    expect(new Date(at!.val).toISOString()).toBe(at!.val);
    // override replaces the whole state
    await device.telemetry({ status: 'online', override: true, telemetries: { humidity: 40 } });
    expect(await attributesOf('r-1', ['telemetry:temperature', 'telemetry:humidity'])).toEqual({
      result: 'ok',
      attributes: [{ name: 'telemetry:humidity', val: 40 }],
    });
  });

  it('lists the reports of many devices in one call, and a device that never reported has none', async () => {
    const quiet = await registered(t, 'fleet-quiet');
    const busy = await registered(t, 'fleet-busy');
    await busy.telemetry({ status: 'offline', telemetries: { battery: 3 } });
    expect(quiet.credentials).toBeDefined();
    const listed = await acme()('exodm:list-devices-attributes', {
      n: 10,
      previous: '',
      pattern: 'fleet-*',
      attributes: ['reported-status', 'telemetry:battery', 'device-type'],
    });
    expect(listed.result).toEqual({
      result: 'ok',
      devices: [
        {
          'device-id': 'fleet-busy',
          attributes: [
            { name: 'reported-status', val: 'offline' },
            { name: 'telemetry:battery', val: 3 },
            { name: 'device-type', val: 'meter' },
          ],
        },
        { 'device-id': 'fleet-quiet', attributes: [{ name: 'device-type', val: 'meter' }] },
      ],
    });
  });

  it('forgets the report of a deleted device: a new device of the same id starts without one', async () => {
    const first = await registered(t, 'r-again');
    await first.telemetry({ status: 'online', telemetries: { n: 1 } });
    expect((await acme()('exodm:delete-device', { 'device-id': 'r-again' })).result?.result).toBe('ok');
    await registered(t, 'r-again');
    expect(await attributesOf('r-again', ['reported-status', 'telemetry:n'])).toEqual({ result: 'ok', attributes: [] });
  });
});
