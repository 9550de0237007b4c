import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFor, cuttable } from './agent-fixture.ts';
import { SENSOR_KEY, startServer, type TestServer } from './server-fixture.ts';

describe('000 Registration loop against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('tries again every 10–30 minutes while the server refuses, until it takes the device', async () => {
    const key = 'late-provisioning-key-0001';
    const fetch = cuttable(t.fetch, () => false);
    const { agent, clock, events } = agentFor(t, 'late-1', {
      fetch,
      registration: { account: 'acme', provisioningKey: key, deviceId: 'late-1', firmwareVersion: '1.2.0' },
    });
    agent.start();
    const refused = await events.next('registration-failed');
    expect(refused.error).toMatchObject({
      code: 'auth-lost',
      details: { status: 401, error: 'invalid-provisioning-key' },
    });
    expect(refused.retryInMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(refused.retryInMs).toBeLessThanOrEqual(30 * 60_000);
    const again = await (async () => {
      clock.advance(refused.retryInMs);
      return events.next('registration-failed');
    })();
    expect(again.retryInMs).not.toBe(refused.retryInMs);
    expect(fetch.calls).toEqual(['POST devices', 'POST devices']);
    // the backend gives the device type its key; the next attempt, not earlier, succeeds
    const made = await t.acme('exodm:create-device-type', {
      name: 'late',
      protocol: 'fleetkit-http',
      'provisioning-key': key,
    });
    expect(made.result).toEqual({ result: 'ok' });
    clock.advance(again.retryInMs - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetch.calls).toHaveLength(2);
    clock.advance(1);
    await events.next('registered');
    await events.next('telemetry');
    expect((await t.acme('exodm:lookup-device', { 'device-id': 'late-1' })).result).toMatchObject({
      result: 'ok',
      'device-type': 'late',
    });
    await agent.stop();
  });

  it('backs off on network errors instead of waiting the registration interval', async () => {
    let down = true;
    const fetch = cuttable(t.fetch, () => down);
    const { agent, clock, events } = agentFor(t, 'offline-1', { fetch });
    agent.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const failed = await events.next('registration-failed');
      expect(failed.error.code).toBe('unavailable');
      delays.push(failed.retryInMs);
      if (attempt < 2) clock.advance(failed.retryInMs);
    }
    // 1 s, 2 s, 4 s, each ±20 %
    [1_000, 2_000, 4_000].forEach((nominal, index) => {
      expect(delays[index]).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(delays[index]).toBeLessThanOrEqual(nominal * 1.2);
    });
    down = false;
    clock.advance(delays[2]!);
    await events.next('registered');
    await agent.stop();
  });

  it('names the device by mac and sn, with its name and firmware version', async () => {
    const { agent, events } = agentFor(t, 'unused', {
      registration: {
        account: 'acme',
        provisioningKey: 'meter-provisioning-key-0001',
        mac: 'AA:BB:CC:00:11:22',
        sn: 'SN42',
        name: 'basement meter',
        firmwareVersion: '2.0.1',
      },
    });
    agent.start();
    await events.next('telemetry');
    expect((await t.acme('exodm:lookup-device', { 'device-id': 'aabbcc001122-SN42' })).result).toMatchObject({
      result: 'ok',
      description: 'basement meter',
    });
    await agent.stop();
  });

  it('waits an interval before registering again when new credentials are refused before they ever worked (403)', async () => {
    // a broker device calling the HTTP API: 403 on every call
    const { agent, clock, events } = agentFor(t, 'wrong-protocol-1', {
      registration: { account: 'acme', provisioningKey: SENSOR_KEY, deviceId: 'wrong-protocol-1' },
    });
    agent.start();
    await events.next('registered');
    expect(await events.next('auth-lost')).toMatchObject({ status: 403, step: 'command' });
    const waiting = await events.next('waiting');
    expect(agent.state.auth).toBeUndefined();
    expect(waiting.reason).toBe('registration');
    expect(waiting.delayMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(events.all('registered')).toHaveLength(1);
    clock.advance(waiting.delayMs);
    await events.next('registered');
    await events.next('auth-lost');
    await agent.stop();
  });
});
