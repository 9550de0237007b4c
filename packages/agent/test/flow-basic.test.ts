import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type AgentOptions, Handlers, httpTransport, memoryStore } from '../src/index.ts';
import { Recorder } from './events.ts';
import { METER_KEY, startServer, type TestServer } from './server-fixture.ts';

describe('the agent flow of 000 against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  function agentFor(deviceId: string, extra: Partial<AgentOptions> = {}) {
    const clock = new ManualClock();
    const agent = new Agent({
      transport: httpTransport({ url: t.url, fetch: t.fetch }),
      registration: { account: 'acme', provisioningKey: METER_KEY, deviceId },
      clock,
      random: new SeededRandom(7),
      logger: silentLogger,
      ...extra,
    });
    return { agent, clock, events: new Recorder(agent) };
  }

  it('registers at once, reports, and waits a telemetry interval of 5–30 s', async () => {
    const store = memoryStore();
    const { agent, events } = agentFor('basic-1', { store });
    agent.start();
    const registered = await events.next('registered');
    expect(store.state?.auth).toMatchObject({ id: registered.id, hubUrl: t.url });
    expect((await events.next('telemetry')).pending).toEqual({ command: false, configVersion: 0, licenses: false });
    const waiting = await events.next('waiting');
    expect(waiting.reason).toBe('telemetry');
    expect(waiting.delayMs).toBeGreaterThanOrEqual(5_000);
    expect(waiting.delayMs).toBeLessThanOrEqual(30_000);
    await agent.stop();
  });

  it('runs a command the telemetry answer announces and reports done with the handler result', async () => {
    const handlers = new Handlers().command('agent-test:echo', (command) => ({ echoed: command.parameters.text }));
    const { agent, clock, events } = agentFor('basic-2', { handlers });
    agent.start();
    const first = await events.next('waiting');
    const transactionId = await t.send('basic-2', 'echo', { text: 'hello' });
    clock.advance(first.delayMs);
    expect((await events.next('telemetry')).pending.command).toBe(true);
    expect(await events.next('command')).toMatchObject({ status: 'in_progress', name: 'agent-test:echo' });
    expect(await events.next('command')).toMatchObject({ status: 'done', resumed: false });
    expect(await t.transaction('basic-2', transactionId)).toMatchObject({
      state: 'complete',
      'device-result': { echoed: 'hello' },
    });
    await agent.stop();
  });
});
