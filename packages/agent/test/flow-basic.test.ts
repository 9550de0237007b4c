import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Handlers, httpTransport, memoryStore } from '../src/index.ts';
import { agentFor, cuttable, gate } from './agent-fixture.ts';
import { Recorder } from './events.ts';
import { startServer, type TestServer } from './server-fixture.ts';

describe('000 Initialisation and Telemetry loop against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers at once when the store holds no auth data, saves it, reports, and waits 5–30 s', async () => {
    const store = memoryStore();
    const { agent, events } = agentFor(t, 'basic-1', { store });
    agent.start();
    const registered = await events.next('registered');
    expect(store.state?.auth).toMatchObject({ id: registered.id, hubUrl: t.url });
    expect(agent.auth?.id).toBe(registered.id);
    expect((await events.next('telemetry')).pending).toEqual({ command: false, configVersion: 0, licenses: false });
    const waiting = await events.next('waiting');
    expect(waiting.reason).toBe('telemetry');
    expect(waiting.delayMs).toBeGreaterThanOrEqual(5_000);
    expect(waiting.delayMs).toBeLessThanOrEqual(30_000);
    await agent.stop();
    expect(events.all('stopped')).toHaveLength(1);
  });

  it('starts from the stored auth data without registering again', async () => {
    const store = memoryStore();
    const first = agentFor(t, 'basic-2', { store });
    first.agent.start();
    const { id } = await first.events.next('registered');
    await first.events.next('waiting');
    await first.agent.stop();
    const fetch = cuttable(t.fetch, () => false);
    const second = agentFor(t, 'basic-2', { store, fetch });
    second.agent.start();
    await second.events.next('telemetry');
    expect(second.events.all('registered')).toEqual([]);
    expect(second.agent.auth?.id).toBe(id);
    // the recovery check, then the first beat
    expect(fetch.calls).toEqual(['GET command', 'POST telemetry']);
    await second.agent.stop();
  });

  it('beats once per interval, and at once on a significant event', async () => {
    const fetch = cuttable(t.fetch, () => false);
    const { agent, clock, events } = agentFor(t, 'basic-3', { fetch, timing: { telemetryInterval: 10_000 } });
    agent.start();
    await events.next('waiting');
    const beats = () => fetch.calls.filter((call) => call === 'POST telemetry').length;
    expect(beats()).toBe(1);
    clock.advance(9_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(beats()).toBe(1);
    clock.advance(1);
    await events.next('waiting');
    expect(beats()).toBe(2);
    agent.reportNow();
    await events.next('waiting');
    expect(beats()).toBe(3);
    await agent.stop();
  });

  it('sends the telemetry the device reports, and status error with the message when collecting it fails', async () => {
    let reading = 0;
    const { agent, clock, events } = agentFor(t, 'basic-4', {
      telemetry: () => {
        reading++;
        if (reading === 2) throw new Error('sensor unplugged');
        return { status: 'online', telemetries: { temperature: 20 + reading } };
      },
    });
    const report = async () => {
      const [row] = await t.server.context.db.query<{ status: string; telemetries: string; message: string | null }>(
        "SELECT status, telemetries, message FROM srv_device_reports WHERE account = 'acme' AND device_id = 'basic-4'",
      );
      return { ...row!, telemetries: JSON.parse(row!.telemetries) as unknown };
    };
    agent.start();
    const waiting = await events.next('waiting');
    expect(await report()).toMatchObject({ status: 'online', telemetries: { temperature: 21 } });
    clock.advance(waiting.delayMs);
    await events.next('waiting');
    expect(await report()).toMatchObject({ status: 'error', message: 'sensor unplugged' });
    await agent.stop();
  });

  it('runs a command the telemetry answer announces and reports done with the handler result', async () => {
    const handlers = new Handlers().command('agent-test:echo', (command) => ({ echoed: command.parameters.text }));
    const { agent, clock, events } = agentFor(t, 'basic-5', { handlers });
    agent.start();
    const first = await events.next('waiting');
    const transactionId = await t.send('basic-5', 'echo', { text: 'hello' });
    clock.advance(first.delayMs);
    expect((await events.next('telemetry')).pending.command).toBe(true);
    expect(await events.next('command')).toMatchObject({ status: 'in_progress', name: 'agent-test:echo' });
    expect(await events.next('command')).toMatchObject({ status: 'done', resumed: false });
    expect(await t.transaction('basic-5', transactionId)).toMatchObject({
      state: 'complete',
      'device-result': { echoed: 'hello' },
    });
    // work done is a significant event: the next beat goes at once and finds nothing more
    expect((await events.next('telemetry')).pending.command).toBe(false);
    await events.next('waiting');
    await agent.stop();
  });

  it('waits the interval after work when immediate beats are turned off', async () => {
    const handlers = new Handlers().command('agent-test:echo', () => undefined);
    const { agent, clock, events } = agentFor(t, 'basic-6', { handlers, timing: { maxImmediateBeats: 0 } });
    agent.start();
    const first = await events.next('waiting');
    await t.send('basic-6', 'echo');
    clock.advance(first.delayMs);
    await events.next('command', (event) => event.status === 'done');
    const after = events.events.length;
    await events.next('waiting');
    expect(events.events.slice(after).map((event) => event.type)).toEqual(['waiting']);
    await agent.stop();
  });

  it('keeps a reportNow() that comes while a beat is under way, after a wait the clock ended', async () => {
    let hold: Promise<void> | undefined;
    const { agent, clock, events } = agentFor(t, 'basic-7', {
      telemetry: async () => {
        await hold;
        return { status: 'online' };
      },
    });
    agent.start();
    const first = await events.next('waiting');
    const beat = gate();
    hold = beat.promise;
    // the wait ends by the clock, and the next beat stops in the middle
    clock.advance(first.delayMs);
    await new Promise((resolve) => setTimeout(resolve, 10));
    agent.reportNow();
    hold = undefined;
    beat.open();
    const second = events.events.indexOf(await events.next('telemetry'));
    // the nudge was kept: the beat after it goes at once, without a wait in between
    const waiting = events.events.indexOf(await events.next('waiting'));
    expect(events.events.slice(second + 1, waiting + 1).map((event) => event.type)).toEqual(['telemetry', 'waiting']);
    await agent.stop();
  });

  it('refuses options it cannot use', () => {
    const transport = httpTransport({ url: t.url });
    const registration = { account: 'acme', provisioningKey: 'k', deviceId: 'd' };
    expect(() => httpTransport({ url: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => new Agent({ transport, registration, timing: { telemetryInterval: { minMs: 9, maxMs: 1 } } })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        details: expect.objectContaining({ path: 'timing.telemetryInterval' }),
      }),
    );
    expect(() => new Agent({ transport, registration: {} as never })).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    const agent = new Agent({ transport, registration });
    expect(agent.running).toBe(false);
    expect(new Recorder(agent).events).toEqual([]);
  });
});
