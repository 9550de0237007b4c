import { type ChunkStorage, createMemoryStorage } from '@fleetkit/chunked';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentState, type AgentStore, Handlers } from '../src/index.ts';
import { agentFor, type TestAgent } from './agent-fixture.ts';
import { forgedManifest, type HostileProxy, startProxy } from './hostile-proxy.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus, recordingInstaller } from './package-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

/** A store whose chunk storage logs every chunk written. */
function loggingStore(): AgentStore & { writes: { index: number; bytes: Uint8Array }[] } {
  let state: AgentState | undefined;
  const storage = createMemoryStorage();
  const writes: { index: number; bytes: Uint8Array }[] = [];
  const chunks: ChunkStorage = {
    ...storage,
    writeChunk: async (key, index, bytes) => {
      writes.push({ index, bytes: bytes.slice() });
      await storage.writeChunk(key, index, bytes);
    },
  };
  return {
    writes,
    load: async () => state,
    save: async (next) => {
      state = next;
    },
    chunks: () => chunks,
  };
}

describe('a hostile network between the agent and the server (a real HTTP proxy)', () => {
  let t: TestServer;
  let proxy: HostileProxy;
  const image = imageOf(6 * CHUNK, 61);
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    proxy = await startProxy(t);
    await createPackage(t, 'fw', image, { version: '1.0' });
  });
  beforeEach(() => {
    for (const key of Object.keys(proxy.tampering)) delete proxy.tampering[key as keyof typeof proxy.tampering];
  });
  afterAll(async () => {
    await proxy.close();
    await t.close();
  });

  async function installing(id: string, store: AgentStore, installed: { name: string; bytes: Uint8Array }[]) {
    const device: TestAgent = agentFor(t, id, {
      url: proxy.url,
      fetch: (input, init) => fetch(input, init),
      store,
      handlers: new Handlers().packageInstaller('fw', recordingInstaller(installed)),
    });
    device.agent.onEvent((event) => {
      if (event.type === 'backoff') setTimeout(() => device.clock.advance(event.delayMs), 0);
    });
    device.agent.start();
    const wait = await device.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'fw', targets: [id] });
    device.clock.advance(wait.delayMs);
    return device;
  }

  it('refuses a corrupted chunk before storing it, fetches it again and installs the genuine image', async () => {
    const store = loggingStore();
    const installed: { name: string; bytes: Uint8Array }[] = [];
    proxy.tampering.corrupt = { index: 2, times: 1 };
    const device = await installing('hostile-chunk', store, installed);
    expect(await device.events.next('package', (e) => e.status !== 'transferring')).toMatchObject({
      status: 'installed',
    });
    expect(proxy.tampering.corrupt.times).toBe(0);
    expect(device.events.all('backoff').filter((e) => e.step === 'package-image')).toHaveLength(1);
    // only genuine chunks were ever written, each once
    expect(store.writes.map((write) => write.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const write of store.writes) {
      expect(write.bytes).toEqual(image.subarray(write.index * CHUNK, (write.index + 1) * CHUNK));
    }
    expect(installed[0]!.bytes).toEqual(image);
    await device.agent.stop();
  });

  it('fails the install when every download brings the corrupted chunk', async () => {
    const store = loggingStore();
    proxy.tampering.corrupt = { index: 4, times: 1_000 };
    const device = await installing('hostile-always', store, []);
    const failed = await device.events.next('package', (e) => e.status !== 'transferring');
    expect(failed).toMatchObject({ status: 'install-failed' });
    expect(failed.message).toMatch(/^Transfer failed 3 times: .*chunk 4/);
    expect(store.writes.some((write) => write.index === 4)).toBe(false);
    expect(await packageStatus(t, 'fw', 'hostile-always')).toMatchObject({ 'package-status': 'install-failed' });
    await device.agent.stop();
  });

  it('refuses a manifest signed by another key before anything is stored, even when the key served changes', async () => {
    const store = loggingStore();
    const forged = await forgedManifest('fw', '1.0');
    // the attacker serves its own key and a manifest it signed
    const device = agentFor(t, 'hostile-manifest', {
      url: proxy.url,
      fetch: (input, init) => fetch(input, init),
      store,
      handlers: new Handlers().packageInstaller('fw', () => undefined),
    });
    device.agent.start();
    await device.events.next('waiting');
    // a device provisioned with the server's key: its state holds it before any package comes
    const pinned = (
      (await await fetch(`${proxy.url}/v1/devices/${device.agent.auth!.id}/package-key`, {
        headers: { authorization: device.agent.auth!.accessKey },
      }).then((r) => r.json())) as { 'public-key': string }
    )['public-key'];
    await store.save({ ...device.agent.state, packageKey: pinned });
    await device.agent.stop();
    proxy.tampering.key = forged.key;
    proxy.tampering.manifest = forged.manifest;
    const ranges = proxy.ranges.length;
    const again = agentFor(t, 'hostile-manifest', {
      url: proxy.url,
      fetch: (input, init) => fetch(input, init),
      store,
      handlers: new Handlers().packageInstaller('fw', () => undefined),
    });
    again.agent.start();
    const next = await again.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'fw', targets: ['hostile-manifest'] });
    again.clock.advance(next.delayMs);
    const refused = await again.events.next('package');
    expect(refused).toMatchObject({ status: 'install-failed' });
    expect(refused.message).toMatch(/^Manifest refused: .*signature/);
    expect(store.writes).toEqual([]);
    expect(proxy.ranges.length).toBe(ranges);
    expect(again.agent.state.packageKey).toBe(pinned);
    expect(await packageStatus(t, 'fw', 'hostile-manifest')).toMatchObject({
      'package-status': 'install-failed',
      reason: refused.message,
    });
    await again.agent.stop();
  });

  it('refuses the genuine manifest with one bit flipped, and the key it pinned stays', async () => {
    const store = loggingStore();
    proxy.tampering.flipManifest = true;
    const device = await installing('hostile-altered', store, []);
    const refused = await device.events.next('package');
    expect(refused).toMatchObject({ status: 'install-failed' });
    expect(refused.message).toMatch(/^Manifest refused: /);
    expect(store.writes).toEqual([]);
    proxy.tampering.flipManifest = false;
    // the server's real key was pinned on first use, and the untouched manifest verifies with it
    await must(t, 'exodm:install-package', { 'package-name': 'fw', targets: ['hostile-altered'] });
    device.agent.reportNow();
    expect(await device.events.next('package', (e) => e.status !== 'transferring')).toMatchObject({
      status: 'installed',
    });
    await device.agent.stop();
  });
});
