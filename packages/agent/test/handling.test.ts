import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Handlers, type License, memoryStore } from '../src/index.ts';
import { agentFor, cuttable, gate, type TestAgent } from './agent-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

describe('000 Handling code against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Starts an agent and lets it reach its first wait. */
  async function started(device: TestAgent): Promise<number> {
    device.agent.start();
    return (await device.events.next('waiting')).delayMs;
  }

  /** Pushes configuration `{interval}` to a device; the configuration transaction's id. */
  async function pushInterval(deviceId: string, interval: number): Promise<number> {
    await t.acme('exodm:update-config-data', { 'device-id': deviceId, module: 'agent-test', values: { interval } });
    const pushed = await t.acme('exodm:push-config-data', { 'device-id': deviceId });
    return Number(pushed.result?.['transaction-id']);
  }

  describe('commands, one at a time', () => {
    it('reports failed with the message of a handler that throws', async () => {
      const handlers = new Handlers().command('agent-test:echo', () => {
        throw new Error('disk full');
      });
      const device = agentFor(t, 'cmd-1', { handlers });
      const wait = await started(device);
      const id = await t.send('cmd-1', 'echo');
      device.clock.advance(wait);
      expect(await device.events.next('command', (e) => e.status !== 'in_progress')).toMatchObject({
        status: 'failed',
        message: 'disk full',
      });
      expect(await t.transaction('cmd-1', id)).toMatchObject({
        'rpc-status': 'device-error',
        final: true,
        'device-result': { message: 'disk full' },
      });
      await device.agent.stop();
    });

    it('fails a command without a handler, and lets "*" take every command without one', async () => {
      const plain = agentFor(t, 'cmd-2');
      const wait = await started(plain);
      const id = await t.send('cmd-2', 'unknown-to-device');
      plain.clock.advance(wait);
      await plain.events.next('command', (e) => e.status === 'failed');
      expect(await t.transaction('cmd-2', id)).toMatchObject({
        'device-result': { message: 'No handler for command agent-test:unknown-to-device' },
      });
      await plain.agent.stop();
      const handlers = new Handlers().command('*', (command) => ({ handled: command.name }));
      const catchAll = agentFor(t, 'cmd-2b', { handlers });
      const wait2 = await started(catchAll);
      const id2 = await t.send('cmd-2b', 'unknown-to-device');
      catchAll.clock.advance(wait2);
      await catchAll.events.next('command', (e) => e.status === 'done');
      expect(await t.transaction('cmd-2b', id2)).toMatchObject({
        'device-result': { handled: 'agent-test:unknown-to-device' },
      });
      await catchAll.agent.stop();
    });

    it('handles queued commands one after another, in order, with progress reports between', async () => {
      const seen: string[] = [];
      const release = gate();
      const handlers = new Handlers().command('agent-test:echo', async (command, context) => {
        seen.push(String(command.parameters.text));
        if (command.parameters.text === 'first') {
          await context.progress({ cnt: 1, of: 2 });
          await release.promise;
        }
        return { echoed: command.parameters.text };
      });
      const device = agentFor(t, 'cmd-3', { handlers });
      const wait = await started(device);
      const first = await t.send('cmd-3', 'echo', { text: 'first' });
      const second = await t.send('cmd-3', 'echo', { text: 'second' });
      device.clock.advance(wait);
      await device.events.next('command', (e) => e.status === 'in_progress');
      // the progress report may still be on its way to the server
      await vi.waitFor(
        async () =>
          expect(await t.transaction('cmd-3', first)).toMatchObject({
            state: 'in-progress',
            progress: { cnt: 1, of: 2 },
          }),
        { timeout: 20_000, interval: 10 },
      );
      expect(await t.transaction('cmd-3', second)).toMatchObject({ state: 'queued' });
      expect(seen).toEqual(['first']);
      release.open();
      await device.events.next('command', (e) => e.status === 'done' && e.id.startsWith(`${second}.`));
      expect(seen).toEqual(['first', 'second']);
      expect(await t.transaction('cmd-3', first)).toMatchObject({ state: 'complete' });
      await device.agent.stop();
    });

    it('stops a command the backend cancelled while the device was down, and confirms cancelled', async () => {
      const cancelled: string[] = [];
      const handlers = new Handlers().command('agent-test:echo', {
        execute: () => new Promise(() => {}),
        cancel: (command) => {
          cancelled.push(command.id);
        },
      });
      const store = memoryStore();
      const before = agentFor(t, 'cmd-4', { handlers, store });
      const wait = await started(before);
      const id = await t.send('cmd-4', 'echo');
      before.clock.advance(wait);
      await before.events.next('command', (e) => e.status === 'in_progress');
      await before.agent.stop();
      expect(
        (await t.acme('exodm:cancel-transaction', { 'device-id': 'cmd-4', 'transaction-id': id })).result,
      ).toMatchObject({
        transaction: { state: 'cancelling' },
      });
      const after = agentFor(t, 'cmd-4', { handlers, store });
      after.agent.start();
      expect(await after.events.next('command')).toMatchObject({ status: 'cancelled' });
      expect(cancelled).toHaveLength(1);
      expect(await t.transaction('cmd-4', id)).toMatchObject({ state: 'cancelled' });
      expect(after.agent.state.inProgress).toBeUndefined();
      await after.agent.stop();
    });
  });

  describe('configuration, by version', () => {
    it('fetches a newer configuration, applies it, reports done, and does not fetch it again', async () => {
      const applied: unknown[] = [];
      const handlers = new Handlers().config((config, context) => {
        applied.push({ version: context.version, updates: config.updates });
      });
      const fetch = cuttable(t.fetch, () => false);
      const device = agentFor(t, 'cfg-1', { handlers, fetch });
      const wait = await started(device);
      const version = await pushInterval('cfg-1', 60);
      device.clock.advance(wait);
      expect((await device.events.next('telemetry')).pending.configVersion).toBe(version);
      expect(await device.events.next('config')).toEqual({ type: 'config', version, status: 'done' });
      expect(applied).toEqual([{ version, updates: [{ module: 'agent-test', values: { interval: 60 } }] }]);
      expect(device.agent.state.configVersion).toBe(version);
      expect(await t.transaction('cfg-1', version)).toMatchObject({ kind: 'config', state: 'complete' });
      // the server's version now equals the device's: the next beats fetch nothing
      const next = await device.events.next('waiting');
      device.clock.advance(next.delayMs);
      await device.events.next('waiting');
      expect(fetch.calls.filter((call) => call === 'GET config')).toHaveLength(1);
      expect((await t.acme('exodm:read-config-data', { 'device-id': 'cfg-1', module: 'agent-test' })).result).toEqual({
        result: 'ok',
        values: { interval: 60 },
      });
      await device.agent.stop();
    });

    it('reports failed with the message when the applier throws, and keeps the old version', async () => {
      const handlers = new Handlers().config(() => {
        throw new Error('interval out of range');
      });
      const device = agentFor(t, 'cfg-2', { handlers });
      const wait = await started(device);
      const version = await pushInterval('cfg-2', 1);
      device.clock.advance(wait);
      expect(await device.events.next('config')).toEqual({
        type: 'config',
        version,
        status: 'failed',
        message: 'interval out of range',
      });
      expect(device.agent.state.configVersion).toBe(0);
      expect(await t.transaction('cfg-2', version)).toMatchObject({ final: true, 'rpc-status': 'device-error' });
      await device.agent.stop();
    });

    it('fails configuration when the device has no applier', async () => {
      const device = agentFor(t, 'cfg-3');
      const wait = await started(device);
      const version = await pushInterval('cfg-3', 5);
      device.clock.advance(wait);
      expect(await device.events.next('config')).toMatchObject({
        status: 'failed',
        message: 'No configuration applier',
      });
      expect(await t.transaction('cfg-3', version)).toMatchObject({ 'rpc-status': 'device-error' });
      await device.agent.stop();
    });
  });

  describe('licences, one at a time', () => {
    it('applies and confirms licences in the order the backend changed them, then a removal', async () => {
      const applied: string[] = [];
      const handlers = new Handlers().license((license: License) => {
        applied.push(`${license.action} ${license.id}`);
      });
      const device = agentFor(t, 'lic-1', { handlers });
      const wait = await started(device);
      await t.acme('exodm:add-device-license', { 'device-id': 'lic-1', 'license-id': 'pro', data: { seats: 5 } });
      await t.acme('exodm:add-device-license', { 'device-id': 'lic-1', 'license-id': 'extra' });
      device.clock.advance(wait);
      expect(await device.events.next('license')).toEqual({ type: 'license', id: 'pro', state: 'inuse' });
      expect(await device.events.next('license')).toEqual({ type: 'license', id: 'extra', state: 'inuse' });
      const next = await device.events.next('waiting');
      await t.acme('exodm:remove-device-license', { 'device-id': 'lic-1', 'license-id': 'pro' });
      device.clock.advance(next.delayMs);
      expect(await device.events.next('license')).toEqual({ type: 'license', id: 'pro', state: 'removed' });
      expect(applied).toEqual(['add pro', 'add extra', 'remove pro']);
      expect((await t.acme('exodm:list-device-licenses', { 'device-id': 'lic-1' })).result?.licenses).toEqual([
        { 'license-id': 'extra', state: 'inuse', data: {} },
      ]);
      await device.agent.stop();
    });

    it('stops at a licence the applier refuses and takes it, then the rest, on a later beat', async () => {
      let refuse = true;
      const applied: string[] = [];
      const handlers = new Handlers().license((license) => {
        if (license.id === 'b' && refuse) throw new Error('not yet');
        applied.push(license.id);
      });
      const device = agentFor(t, 'lic-2', { handlers });
      const wait = await started(device);
      for (const id of ['a', 'b', 'c'])
        await t.acme('exodm:add-device-license', { 'device-id': 'lic-2', 'license-id': id });
      device.clock.advance(wait);
      await device.events.next('license');
      expect(await device.events.next('license-failed')).toEqual({
        type: 'license-failed',
        id: 'b',
        message: 'not yet',
      });
      // the beat after the one that applied `a` is refused `b` again, then the agent waits
      const wait2 = (await device.events.next('waiting')).delayMs;
      expect(applied).toEqual(['a']);
      expect(device.events.all('license-failed')).toHaveLength(2);
      refuse = false;
      device.clock.advance(wait2);
      await device.events.next('license', (e) => e.id === 'c');
      expect(applied).toEqual(['a', 'b', 'c']);
      await device.agent.stop();
    });
  });
});
