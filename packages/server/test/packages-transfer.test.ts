import {
  Assembler,
  ChunkedError,
  ChunkedErrorCode,
  ed25519Signer,
  encodeImage,
  manifestId,
  signManifest,
} from '@fleetkit/chunked';
import { SeededRandom } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { PROVISIONING_KEY, registered } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, type Link, must, PackageDevice, toBase64 } from './packages-fixture.ts';

const CHUNK = 1024;

/** A link that breaks off the response holding chunk `cut`, right before it: a chunk boundary. */
function cutBefore(cut: number): Link {
  return async (request) => {
    const response = await fetch(request);
    const [, start, end] = /bytes=(\d+)-(\d+)/.exec(request.headers.get('range') ?? '') ?? [];
    const first = Number(start) / CHUNK;
    if (response.body === null || cut < first || cut > Number(end) / CHUNK) return response;
    const keep = (cut - first) * CHUNK;
    let sent = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(piece, controller) {
          const room = keep - sent;
          if (room > 0) controller.enqueue(piece.subarray(0, Math.min(room, piece.length)));
          sent += Math.min(room, piece.length);
          if (piece.length >= room) controller.error(new Error('link cut'));
        },
      }),
    );
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

/** A link that flips one byte of chunk `index` in transit. */
function corrupting(index: number): Link {
  return async (request) => {
    const response = await fetch(request);
    const [, start] = /bytes=(\d+)-/.exec(request.headers.get('range') ?? '') ?? [];
    const bytes = new Uint8Array(await response.arrayBuffer());
    const at = index * CHUNK + 7 - Number(start);
    if (at >= 0 && at < bytes.length) bytes[at] = bytes[at]! ^ 0xff;
    return new Response(bytes, { status: response.status, headers: response.headers });
  };
}

describe('verified, resumable package transfer to a device (manual §5.7)', () => {
  let t: TestServer;
  let backend: Listener;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const device = async (id: string): Promise<PackageDevice> => {
    const made = new PackageDevice(await registered(t, id, PROVISIONING_KEY));
    await made.trust();
    return made;
  };
  const status = async (name: string, id: string) =>
    (await acme('exodm:get-package-status', { 'package-name': name, 'device-id': id })).result!;
  const finalOf = (id: string, name: string) =>
    backend.received.find(
      (r) =>
        r.body.params['device-id'] === id && r.body.params['package-name'] === name && r.body.params.final === true,
    )?.body.params;

  beforeAll(async () => {
    t = await startServer({ devices: { rateBurst: 10_000, ratePerSecond: 10_000 }, packages: { chunkSize: CHUNK } });
    backend = await listen();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', {
      name: 'meter',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
    const create = (name: string, size: number, more: Record<string, unknown> = {}) =>
      must(t, 'exodm:create-package', { 'package-name': name, image: toBase64(imageOf(size, size)), ...more });
    await create('big-1.0', 200 * CHUNK + 17, { version: '1.0' });
    await create('fw-1.0', 6 * CHUNK, { version: '1.0' });
    await create('fw-2.0', 7 * CHUNK + 5, { version: '2.0', 'upgrade-from-packages': ['fw-1.0'] });
    await must(t, 'exodm:add-package-to-device-type', {
      'package-name': ['big-1.0', 'fw-1.0', 'fw-2.0'],
      'device-type': 'meter',
    });
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  it('resumes a transfer cut at random chunk boundaries without fetching any acknowledged chunk again', async () => {
    const d = await device('dev-cut');
    await must(t, 'exodm:install-package', {
      'package-name': 'big-1.0',
      targets: ['dev-cut'],
      'notification-url': backend.url,
    });
    const command = (await d.command())!;
    const manifest = await d.manifest(command.parameters.manifest as string);
    const random = new SeededRandom(20_240_917);
    const acknowledged = new Set<number>();
    let cuts = 0;
    for (;;) {
      const from = d.requested.length;
      const missing = [...Array(201).keys()].filter((i) => !acknowledged.has(i));
      const link = cuts < 8 ? cutBefore(missing[Math.floor(random.float() * missing.length)]!) : undefined;
      let assembler: Assembler | undefined;
      try {
        assembler = await d.download(manifest, command.parameters.image as string, link);
      } catch (error) {
        expect((error as Error).message).toContain('link cut');
        cuts++;
      }
      // every range of this attempt lies outside what the device had acknowledged before it
      for (const range of d.requested.slice(from)) {
        for (let i = range.start / CHUNK; i < range.end / CHUNK; i++)
          expect(acknowledged.has(i), `chunk ${i}`).toBe(false);
      }
      // a restarted device: its assembler resumes from what storage holds
      const resumed = assembler ?? (await Assembler.open({ manifest, storage: d.storage }));
      const answer = await d.acknowledge('big-1.0', resumed);
      for (let i = 0; i < 201; i++) if (resumed.has(i)) acknowledged.add(i);
      expect(answer).toMatchObject({ acknowledged: acknowledged.size, total: 201 });
      expect(await status('big-1.0', 'dev-cut')).toMatchObject({
        'chunks-acknowledged': acknowledged.size,
        'chunks-total': 201,
      });
      if (assembler !== undefined) break;
    }
    expect(cuts).toBe(8);
    const fetched = d.requested.reduce((n, r) => n + (r.end - r.start), 0);
    // each cut may lose at most the rest of one request (16 chunks) that was never acknowledged
    expect(fetched).toBeLessThanOrEqual(manifest.size + cuts * 16 * CHUNK);
    const assembler = await Assembler.open({ manifest, storage: d.storage });
    await assembler.verify();
    expect((await d.report('big-1.0', { 'package-status': 'installed', version: '1.0' })).status).toBe(200);
    expect(await status('big-1.0', 'dev-cut')).toMatchObject({ 'package-status': 'installed', confirmed: true });
    await eventually(() => finalOf('dev-cut', 'big-1.0') !== undefined, 'the final notification');
    const progress = backend.received.filter((r) => r.body.params['package-status'] === 'transferring');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]!.body.params).toMatchObject({ 'chunks-total': 201, final: false, 'rpc-status': 'accepted' });
  });

  it('rejects a corrupted chunk before it is stored, and fetches only that chunk again', async () => {
    const d = await device('dev-bad-chunk');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-bad-chunk'] });
    const command = (await d.command())!;
    const manifest = await d.manifest(command.parameters.manifest as string);
    const failure = await d
      .download(manifest, command.parameters.image as string, corrupting(2))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ChunkedError);
    expect(failure).toMatchObject({ code: ChunkedErrorCode.ChunkDigestMismatch, details: { index: 2 } });
    const key = manifestId(manifest);
    expect(await d.storage.readChunk(key, 2)).toBeUndefined();
    expect(await d.storage.readChunk(key, 1)).toBeDefined();
    const from = d.requested.length;
    const assembler = await d.download(manifest, command.parameters.image as string);
    expect(d.requested.slice(from)).toEqual([{ package: 'fw-1.0', start: 2 * CHUNK, end: 6 * CHUNK }]);
    await assembler.verify();
  });

  it('rejects a forged or altered manifest before anything is stored', async () => {
    const d = await device('dev-forged');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-forged'] });
    const command = (await d.command())!;
    const attacker = (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
    const evil = await encodeImage(imageOf(6 * CHUNK, 666), {
      name: 'fw-1.0',
      version: '1.0',
      sequence: 1,
      chunkSize: CHUNK,
    });
    const forged = await signManifest(evil, ed25519Signer(attacker.privateKey));
    const replaced: Link = async () => new Response(new Uint8Array(forged));
    await expect(d.manifest(command.parameters.manifest as string, replaced)).rejects.toMatchObject({
      code: ChunkedErrorCode.SignatureInvalid,
    });
    const altered: Link = async (request) => {
      const bytes = new Uint8Array(await (await fetch(request)).arrayBuffer());
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      return new Response(bytes);
    };
    await expect(d.manifest(command.parameters.manifest as string, altered)).rejects.toMatchObject({
      code: ChunkedErrorCode.SignatureInvalid,
    });
    expect(await d.storage.readState(manifestId(evil))).toBeUndefined();
    expect(d.requested).toEqual([]);
    // the genuine manifest verifies, and the install goes ahead
    expect((await d.carryOut(command)).status).toBe(200);
    expect(await status('fw-1.0', 'dev-forged')).toMatchObject({ 'package-status': 'installed', confirmed: true });
  });

  it('confirms an install that needs a restart only when the device comes back on the new version', async () => {
    const d = await device('dev-reboot-ok');
    await must(t, 'exodm:install-package', {
      'package-name': 'fw-1.0',
      targets: ['dev-reboot-ok'],
      'notification-url': backend.url,
    });
    expect((await d.carryOut((await d.command())!, { reboot: true })).body).toMatchObject({
      'package-status': 'installed',
      confirmed: false,
    });
    expect(await status('fw-1.0', 'dev-reboot-ok')).toMatchObject({ 'package-status': 'installed', confirmed: false });
    // the device restarts and finds its command still in progress (000 Initialisation), then reports what it runs
    const again = (await d.command())!;
    expect(again.parameters['package-name']).toBe('fw-1.0');
    d.running.set('fw-1.0', '1.0');
    expect((await d.inventory()).status).toBe(200);
    expect(await status('fw-1.0', 'dev-reboot-ok')).toMatchObject({ 'package-status': 'installed', confirmed: true });
    await eventually(() => finalOf('dev-reboot-ok', 'fw-1.0') !== undefined, 'the final notification');
    expect(finalOf('dev-reboot-ok', 'fw-1.0')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
      'rpc-status': 'complete',
    });
  });

  it('fails an upgrade whose device restarts on the old version, keeping the old package installed', async () => {
    const d = await device('dev-rollback');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-rollback'] });
    await d.carryOut((await d.command())!);
    await must(t, 'exodm:upgrade-package', {
      'from-package-name': 'fw-1.0',
      'to-package-name': 'fw-2.0',
      targets: ['dev-rollback'],
      'notification-url': backend.url,
    });
    const upgrade = (await d.command())!;
    expect(upgrade.parameters).toMatchObject({ operation: 'upgrade', 'from-package': 'fw-1.0', version: '2.0' });
    expect((await d.carryOut(upgrade, { reboot: true })).status).toBe(200);
    expect(await status('fw-2.0', 'dev-rollback')).toMatchObject({ 'package-status': 'upgraded', confirmed: false });
    // it came back on fw-1.0 (the carry-out above never switched `running`)
    expect(d.running.get('fw-1.0')).toBe('1.0');
    await d.inventory();
    expect(await status('fw-2.0', 'dev-rollback')).toMatchObject({
      'package-status': 'upgrade-failed',
      confirmed: false,
      reason: 'the device restarted without fw-2.0',
    });
    expect(await status('fw-1.0', 'dev-rollback')).toMatchObject({ 'package-status': 'installed', confirmed: true });
    await eventually(() => finalOf('dev-rollback', 'fw-2.0') !== undefined, 'the final notification');
    expect(finalOf('dev-rollback', 'fw-2.0')).toMatchObject({
      'package-status': 'upgrade-failed',
      'rpc-status': 'device-error',
    });
    expect(await t.server.context.queue.list({ device: queueName('acme', 'dev-rollback') }, { open: true })).toEqual(
      [],
    );
  });

  it('fails an install whose device reports the old version after its restart', async () => {
    const d = await device('dev-old-version');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-old-version'] });
    await d.carryOut((await d.command())!, { reboot: true });
    const reply = await d.report('fw-1.0', { 'package-status': 'installed', version: '0.9' });
    expect(reply.status).toBe(200);
    expect(await status('fw-1.0', 'dev-old-version')).toMatchObject({
      'package-status': 'install-failed',
      confirmed: false,
      reason: 'the device restarted on version 0.9, not 1.0',
    });
  });

  it('completes an upgrade that comes back on the new version: the new package replaces the old', async () => {
    const d = await device('dev-upgrade');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-upgrade'] });
    await d.carryOut((await d.command())!);
    await must(t, 'exodm:upgrade-package', {
      'from-package-name': 'fw-1.0',
      'to-package-name': 'fw-2.0',
      targets: ['dev-upgrade'],
    });
    await d.carryOut((await d.command())!, { reboot: true });
    d.running.delete('fw-1.0');
    d.running.set('fw-2.0', '2.0');
    await d.inventory();
    expect(await status('fw-2.0', 'dev-upgrade')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
      version: '2.0',
    });
    expect(await status('fw-1.0', 'dev-upgrade')).toMatchObject({ 'package-status': 'upgraded', confirmed: false });
  });

  it('serves the image only to devices whose type allows the package', async () => {
    await must(t, 'exodm:create-device-type', {
      name: 'other',
      protocol: 'fleetkit-http',
      'provisioning-key': `${PROVISIONING_KEY}-other`,
    });
    const stranger = new PackageDevice(await registered(t, 'dev-other', `${PROVISIONING_KEY}-other`));
    const response = await fetch(stranger.request('packages/fw-1.0/image'));
    expect(response.status).toBe(403);
    expect((await fetch(stranger.request('packages/nope/manifest'))).status).toBe(404);
  });
});
