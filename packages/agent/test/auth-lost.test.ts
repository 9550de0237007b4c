import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Handlers, memoryStore } from '../src/index.ts';
import { agentFor, gate } from './agent-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

describe('000: 401 means the device was deleted (and 403 likewise)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('drops a command whose report gets 401 in the middle of handling, clears the auth data and registers anew', async () => {
    const release = gate();
    const handlers = new Handlers().command('agent-test:echo', async () => {
      await release.promise;
      return { echoed: 'too late' };
    });
    const store = memoryStore();
    const { agent, clock, events } = agentFor(t, 'gone-1', { handlers, store });
    agent.start();
    await events.next('registered');
    const before = store.state?.auth?.accessKey;
    const wait = await events.next('waiting');
    const id = await t.send('gone-1', 'echo');
    clock.advance(wait.delayMs);
    await events.next('command', (e) => e.status === 'in_progress');
    // the backend deletes the device while its command runs
    expect((await t.acme('exodm:delete-devices', { 'device-id': ['gone-1'] })).result).toEqual({ result: 'ok' });
    release.open();
    expect(await events.next('auth-lost')).toEqual({ type: 'auth-lost', step: 'command-update', status: 401 });
    const again = await events.next('registered');
    expect(store.state?.auth?.accessKey).not.toBe(before);
    expect(store.state).toEqual({ auth: expect.objectContaining({ id: again.id }), configVersion: 0 });
    // deleting the device cancelled its transactions; the device made again under the same id is asked to
    // confirm that cancel, and the handler's late result is never reported
    expect(await events.next('command')).toMatchObject({ id: `${id}.1`, status: 'cancelled' });
    expect(await t.transaction('gone-1', id)).toMatchObject({ state: 'cancelled' });
    expect(events.all('command').map((e) => e.status)).toEqual(['in_progress', 'cancelled']);
    // the device exists again, registered anew with the same id
    expect((await t.acme('exodm:lookup-device', { 'device-id': 'gone-1' })).result?.result).toBe('ok');
    await agent.stop();
  });

  it('goes back to registration when telemetry gets 401, without waiting: its credentials had worked', async () => {
    const { agent, clock, events } = agentFor(t, 'gone-2');
    agent.start();
    const wait = await events.next('waiting');
    await t.acme('exodm:delete-devices', { 'device-id': ['gone-2'] });
    clock.advance(wait.delayMs);
    expect(await events.next('auth-lost')).toMatchObject({ step: 'telemetry', status: 401 });
    await events.next('registered');
    expect(events.all('waiting').filter((e) => e.reason === 'registration')).toEqual([]);
    await agent.stop();
  });

  it('goes back to registration when its key was replaced (another registration of the same device)', async () => {
    const first = agentFor(t, 'twin-1');
    first.agent.start();
    const wait = await first.events.next('waiting');
    const second = agentFor(t, 'twin-1');
    second.agent.start();
    await second.events.next('waiting');
    await second.agent.stop();
    first.clock.advance(wait.delayMs);
    expect(await first.events.next('auth-lost')).toMatchObject({ step: 'telemetry', status: 401 });
    await first.events.next('registered');
    await first.agent.stop();
  });

  it('keeps the pinned package key and the packages it runs across registrations', async () => {
    const kept = { packageKey: 'cGlubmVkLWtleQ==', packages: { fw: '1.0' } };
    const store = memoryStore({ configVersion: 4, ...kept });
    const { agent, clock, events } = agentFor(t, 'gone-3', { store });
    agent.start();
    await events.next('registered');
    expect(store.state).toMatchObject({ configVersion: 0, ...kept });
    const wait = await events.next('waiting');
    await t.acme('exodm:delete-devices', { 'device-id': ['gone-3'] });
    clock.advance(wait.delayMs);
    await events.next('auth-lost');
    await events.next('registered');
    expect(store.state).toEqual({ auth: expect.objectContaining({ id: agent.auth?.id }), configVersion: 0, ...kept });
    await agent.stop();
  });
});
