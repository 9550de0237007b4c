import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, run, runAgent } from './cli-fixture.ts';
import { type HostileProxy, startProxy } from './hostile-proxy.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus } from './package-fixture.ts';
import { METER_KEY, startServer, type TestServer } from './server-fixture.ts';

const CHUNKS = 64;

describe('the fleetkit-agent CLI killed with SIGKILL in the middle of a package transfer', () => {
  let t: TestServer;
  let proxy: HostileProxy;
  let state: string;
  beforeAll(async () => {
    t = await startServer({
      listen: true,
      packages: { chunkSize: CHUNK },
      devices: { rateBurst: 10_000, ratePerSecond: 10_000 },
    });
    proxy = await startProxy(t);
    state = await mkdtemp(join(tmpdir(), 'fleetkit-agent-kill-'));
    await createPackage(t, 'kill-fw', imageOf(CHUNKS * CHUNK, 9), { version: '5.0' });
  });
  afterAll(async () => {
    await proxy.close();
    await t.close();
    await rm(state, { recursive: true, force: true });
  });

  it('resumes after the restart from the chunks on disk, fetching none it had acknowledged', async () => {
    const args = ['--url', proxy.url, '--account', 'acme', '--provisioning-key', METER_KEY];
    const device = [...args, '--device-id', 'cli-kill', '--state-dir', state, '--telemetry-ms', '100'];
    const first = runAgent(device);
    await first.waitFor(/registered as \S+/);
    // the third Range request (chunks 32–47) never gets an answer: the process is killed while it waits
    let held = false;
    proxy.tampering.hold = {
      request: 3,
      reached: () => {
        held = true;
      },
    };
    await must(t, 'exodm:install-package', { 'package-name': 'kill-fw', targets: ['cli-kill'] });
    await eventually(() => held, 'the third request of the image', first.output);
    expect(await packageStatus(t, 'kill-fw', 'cli-kill')).toMatchObject({
      'package-status': 'transferring',
      'chunks-acknowledged': 32,
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const root = (await readdir(join(state, 'packages')))[0]!;
    expect((await readdir(join(state, 'packages', root))).filter((name) => name.endsWith('.chunk'))).toHaveLength(32);

    delete proxy.tampering.hold;
    const before = proxy.ranges.length;
    // started again by its bin, as a supervisor would
    const second = run(device);
    await eventually(
      async () => (await packageStatus(t, 'kill-fw', 'cli-kill'))['package-status'] === 'installed',
      'the install after the restart',
      second.output,
    );
    expect(second.output()).not.toContain('registered as');
    expect(proxy.ranges.slice(before)).toEqual([
      `bytes=${32 * CHUNK}-${48 * CHUNK - 1}`,
      `bytes=${48 * CHUNK}-${64 * CHUNK - 1}`,
    ]);
    expect(await packageStatus(t, 'kill-fw', 'cli-kill')).toMatchObject({ confirmed: true, version: '5.0' });
    // the installed image's chunks are gone from the state directory
    expect(await readdir(join(state, 'packages'))).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
