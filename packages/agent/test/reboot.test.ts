import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStore, STATE_FILE } from '../src/adapters/file-store.ts';
import { type Command, Handlers } from '../src/index.ts';
import { agentFor } from './agent-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

describe('000 Initialisation: a command that reset the device is finished and reported after the restart', () => {
  let t: TestServer;
  let directory: string;
  beforeAll(async () => {
    t = await startServer();
    directory = await mkdtemp(join(tmpdir(), 'fleetkit-agent-reboot-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** The device code: `reboot` resets the device (never returns); after the restart it reports how it came back. */
  function deviceCode(log: string[]): Handlers {
    return new Handlers()
      .command('agent-test:reboot', {
        execute: (command: Command) => {
          log.push(`rebooting for ${command.id}`);
          return new Promise(() => {});
        },
        finish: () => {
          log.push('finished after restart');
          return { uptime_s: 3 };
        },
      })
      .command('agent-test:firmware-update', {
        execute: () => new Promise(() => {}),
        finish: (command) => {
          throw new Error(`still on 1.0, expected ${String(command.parameters.version)}`);
        },
      });
  }

  it('finishes and reports a reboot command in progress when a new agent starts on the same file store', async () => {
    const state = join(directory, 'reboot');
    const log: string[] = [];
    const before = agentFor(t, 'rb-1', { store: fileStore(state), handlers: deviceCode(log) });
    before.agent.start();
    const wait = await before.events.next('waiting');
    const id = await t.send('rb-1', 'reboot');
    before.clock.advance(wait.delayMs);
    await before.events.next('command', (e) => e.status === 'in_progress');
    // power cut: the agent stops where it is; nothing more reaches the server
    await before.agent.stop();
    const saved = JSON.parse(await readFile(join(state, STATE_FILE), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      auth: { id: before.agent.auth?.id },
      inProgress: { id: `${id}.1`, name: 'agent-test:reboot' },
    });
    expect(await t.transaction('rb-1', id)).toMatchObject({ state: 'in-progress' });

    const after = agentFor(t, 'rb-1', { store: fileStore(state), handlers: deviceCode(log) });
    after.agent.start();
    expect(await after.events.next('command')).toEqual({
      type: 'command',
      id: `${id}.1`,
      name: 'agent-test:reboot',
      status: 'done',
      resumed: true,
    });
    expect(log).toEqual([`rebooting for ${id}.1`, 'finished after restart']);
    expect(await t.transaction('rb-1', id)).toMatchObject({ state: 'complete', 'device-result': { uptime_s: 3 } });
    // the recovery came first: the telemetry loop starts after it, and no registration happened
    await after.events.next('telemetry');
    expect(after.events.events.map((event) => event.type).slice(0, 2)).toEqual(['command', 'telemetry']);
    expect(after.events.all('registered')).toEqual([]);
    const marker = JSON.parse(await readFile(join(state, STATE_FILE), 'utf8')) as Record<string, unknown>;
    expect(marker.inProgress).toBeUndefined();
    await after.agent.stop();
  });

  it('reports failed when the finish check says the update did not take', async () => {
    const state = join(directory, 'firmware');
    const before = agentFor(t, 'rb-2', { store: fileStore(state), handlers: deviceCode([]) });
    before.agent.start();
    const wait = await before.events.next('waiting');
    const id = await t.send('rb-2', 'firmware-update', { version: '2.0' });
    before.clock.advance(wait.delayMs);
    await before.events.next('command', (e) => e.status === 'in_progress');
    await before.agent.stop();
    const after = agentFor(t, 'rb-2', { store: fileStore(state), handlers: deviceCode([]) });
    after.agent.start();
    expect(await after.events.next('command')).toMatchObject({
      status: 'failed',
      resumed: true,
      message: 'still on 1.0, expected 2.0',
    });
    expect(await t.transaction('rb-2', id)).toMatchObject({
      final: true,
      'device-result': { message: 'still on 1.0, expected 2.0' },
    });
    await after.agent.stop();
  });

  it('finishes the command when the device went down before the server heard in_progress (the store knew)', async () => {
    const state = join(directory, 'early');
    const log: string[] = [];
    // the device records the command, then dies before its in_progress report arrives: only the store knows
    let cut = false;
    const before = agentFor(t, 'rb-3', {
      store: fileStore(state),
      handlers: deviceCode(log),
      fetch: (input, init) => {
        if (!cut || init.method !== 'POST' || !input.endsWith('/command')) return t.fetch(input, init);
        return new Promise((_resolve, reject) => {
          if (init.signal?.aborted) reject(init.signal.reason);
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
        });
      },
    });
    before.agent.start();
    const wait = await before.events.next('waiting');
    const id = await t.send('rb-3', 'reboot');
    cut = true;
    before.clock.advance(wait.delayMs);
    // wait until the record is on disk, then cut the power
    for (;;) {
      const text = await readFile(join(state, STATE_FILE), 'utf8');
      if ((JSON.parse(text) as { inProgress?: unknown }).inProgress !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await before.agent.stop();
    expect(await t.transaction('rb-3', id)).toMatchObject({ state: 'delivered' });
    const after = agentFor(t, 'rb-3', { store: fileStore(state), handlers: deviceCode(log) });
    after.agent.start();
    expect(await after.events.next('command')).toMatchObject({ status: 'done', resumed: true });
    expect(log).toEqual(['finished after restart']);
    expect(await t.transaction('rb-3', id)).toMatchObject({ state: 'complete' });
    await after.agent.stop();
  });
});
