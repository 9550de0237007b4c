import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, eventually, run } from './cli-fixture.ts';
import { METER_KEY, startServer, type TestServer } from './server-fixture.ts';

describe('the fleetkit-agent bin, run by its package.json path', () => {
  let t: TestServer;
  let state: string;
  beforeAll(async () => {
    t = await startServer({ listen: true });
    state = await mkdtemp(join(tmpdir(), 'fleetkit-agent-cli-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(state, { recursive: true, force: true });
  });

  it('is a committed file that the lockfile names too, so npm ci links it without a build', () => {
    expect(existsSync(bin.path)).toBe(true);
    expect(bin.locked).toBe(bin.path);
  });

  it('prints its usage, and refuses a missing flag with exit code 2', async () => {
    const help = run(['--help']);
    expect(await help.exited).toEqual({ code: 0, signal: null });
    expect(help.output()).toContain('Usage: fleetkit-agent --url URL');
    const bad = run(['--account', 'acme']);
    expect(await bad.exited).toEqual({ code: 2, signal: null });
    expect(bad.output()).toContain('--url must be an http(s) URL');
  });

  it('registers, runs a command, keeps its auth data across a restart, and exits 0 on SIGTERM', async () => {
    const args = [
      '--url',
      t.url,
      '--account',
      'acme',
      '--device-id',
      'cli-1',
      '--state-dir',
      state,
      '--telemetry-ms',
      '100',
    ];
    const first = run([...args, '--provisioning-key', METER_KEY]);
    await first.waitFor(/registered as \S+/);
    const id = await t.send('cli-1', 'echo', { text: 'from the backend' });
    await eventually(
      async () => (await t.transaction('cli-1', id)).state === 'complete',
      'the command completing',
      first.output,
    );
    expect(await t.transaction('cli-1', id)).toMatchObject({
      'device-result': { received: 'agent-test:echo', parameters: { text: 'from the backend' } },
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    // started again on the same state directory: no registration, the same device carries on
    const second = run(args.concat('--provisioning-key', 'not-needed-any-more'));
    const again = await t.send('cli-1', 'echo', { text: 'after the restart' });
    await eventually(
      async () => (await t.transaction('cli-1', again)).state === 'complete',
      'the second command completing',
      second.output,
    );
    expect(second.output()).not.toContain('registered as');
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
