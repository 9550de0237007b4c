import { type BrokerServer, serve } from '@fleetkit/broker/serve';
import { Assembler, ChunkedErrorCode, manifestId } from '@fleetkit/chunked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_BYTES, PIECE_BYTES } from '../src/devices/broker-packages.ts';
import { BrokerPackageDevice } from './broker-package-device.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { PROVISIONING_KEY, registered } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, must, sameBytes, storedImage, toBase64 } from './packages-fixture.ts';

const SENSOR_KEY = `${PROVISIONING_KEY}-sensor`;
const KIB = 1024;

describe('package transfer over broker messages (manual §5.7, docs/server.md §Packages)', () => {
  let t: TestServer;
  let broker: BrokerServer;
  let backend: Listener;
  const devices: BrokerPackageDevice[] = [];
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);

  /** Registers a sensor (a broker-typed device) and connects it. */
  const sensor = async (id: string): Promise<BrokerPackageDevice> => {
    const { credentials } = await registered(t, id, SENSOR_KEY);
    const device = new BrokerPackageDevice(`${broker.url}/devices`, credentials!);
    devices.push(device);
    await device.client.registered();
    await device.trust();
    return device;
  };
  /** The same device after a restart: a new connection, its chunk storage and pinned key kept. */
  const restarted = async (before: BrokerPackageDevice): Promise<BrokerPackageDevice> => {
    const device = new BrokerPackageDevice(`${broker.url}/devices`, before.credentials, {
      storage: before.storage,
      key: before.key!,
    });
    devices.push(device);
    await device.client.registered();
    return device;
  };
  const install = (name: string, id: string) =>
    must(t, 'exodm:install-package', { 'package-name': name, targets: [id], 'notification-url': backend.url });
  const status = async (name: string, id: string) =>
    (await acme('exodm:get-package-status', { 'package-name': name, 'device-id': id })).result!;
  const reports = (id: string, name: string) =>
    backend.received
      .filter((r) => r.body.params['device-id'] === id && r.body.params['package-name'] === name)
      .map((r) => r.body.params);

  beforeAll(async () => {
    t = await startServer({
      devices: { rateBurst: 10_000, ratePerSecond: 10_000 },
      packages: { chunkSize: KIB },
      settings: { maxBodyBytes: 4 << 20 },
    });
    broker = await serve(t.server.broker, { port: 0, hostname: '127.0.0.1' });
    backend = await listen();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', { name: 'sensor', protocol: 'broker', 'provisioning-key': SENSOR_KEY });
    const create = (name: string, size: number, more: Record<string, unknown> = {}) =>
      must(t, 'exodm:create-package', { 'package-name': name, image: toBase64(imageOf(size, size)), ...more });
    await create('app-1.0', 600 * KIB + 5, { version: '1.0' });
    await create('fw-2.0', 1200 * KIB + 3, { version: '2.0', 'chunk-size': 512 * KIB });
    await create('resume-1.0', 300 * KIB, { version: '1.0' });
    await create('bad-chunk', 8 * KIB, { version: '1.0' });
    await create('forged', 8 * KIB + 1, { version: '1.0' });
    await must(t, 'exodm:add-package-to-device-type', {
      'package-name': ['app-1.0', 'fw-2.0', 'resume-1.0', 'bad-chunk', 'forged'],
      'device-type': 'sensor',
    });
  });
  afterAll(async () => {
    for (const device of devices) device.close();
    await broker.close();
    await backend.close();
    await t.close();
  });

  it('installs a package: key, verified manifest, chunks in bounded answers, acknowledgements, the report', async () => {
    const d = await sensor('sn-app');
    await install('app-1.0', 'sn-app');
    const tx = await d.transaction();
    expect(tx).toMatchObject({ action: 'execute', kind: 'package', name: 'exodm:install-package', attempt: 1 });
    expect(tx.params).toMatchObject({
      operation: 'install',
      'package-name': 'app-1.0',
      chunks: 601,
      'chunk-size': KIB,
    });
    const manifest = await d.manifest('app-1.0');
    expect(manifestId(manifest)).toBe(tx.params.root);
    const assembler = await Assembler.open({ manifest, storage: d.storage });
    await d.download('app-1.0', assembler);
    expect(assembler.complete).toBe(true);
    // 601 KiB in answers of at most 256 KiB, each message at most 32 KiB
    expect(d.answers.filter((a) => a.part === 'image').map((a) => a.bytes)).toEqual([
      ANSWER_BYTES,
      ANSWER_BYTES,
      600 * KIB + 5 - 2 * ANSWER_BYTES,
    ]);
    expect(Math.max(...d.answers.map((a) => a.largest))).toBe(PIECE_BYTES);
    expect(await d.acknowledge('app-1.0', assembler)).toMatchObject({
      type: 'package-ack',
      package: 'app-1.0',
      acknowledged: 601,
      total: 601,
      missing: [],
    });
    await assembler.verify();
    const image = new Uint8Array(await new Response(assembler.stream()).arrayBuffer());
    expect(sameBytes(image, await storedImage(t, 'acme', 'app-1.0'))).toBe(true);
    expect(await d.report('app-1.0', { 'package-status': 'installed', version: '1.0' })).toMatchObject({
      type: 'package-status',
      package: 'app-1.0',
      'package-status': 'installed',
      confirmed: true,
      version: '1.0',
    });
    expect(await status('app-1.0', 'sn-app')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
      'chunks-acknowledged': 601,
      'chunks-total': 601,
    });
    await eventually(() => reports('sn-app', 'app-1.0').some((p) => p.final === true), 'the final callback');
    const statuses = reports('sn-app', 'app-1.0').map((p) => p['package-status']);
    expect(statuses).toContain('transmitted');
    expect(statuses.at(-1)).toBe('installed');
    expect(await d.inventory()).toMatchObject({
      type: 'package-inventory',
      packages: [{ 'package-name': 'app-1.0', 'package-status': 'installed', confirmed: true }],
    });
  });

  it('cuts a chunk larger than an answer and continues it; an install needing a restart is confirmed by the inventory after it', async () => {
    const d = await sensor('sn-fw');
    await install('fw-2.0', 'sn-fw');
    const tx = await d.transaction();
    const assembler = await Assembler.open({ manifest: await d.manifest('fw-2.0'), storage: d.storage });
    await d.download('fw-2.0', assembler);
    expect(assembler.complete).toBe(true);
    // chunks of 512 KiB come in two answers each, the second asked for from byte 256 KiB of the chunk
    expect(d.asked).toEqual([
      { start: 0, end: 3, offset: 0 },
      { start: 0, end: 3, offset: ANSWER_BYTES },
      { start: 1, end: 3, offset: 0 },
      { start: 1, end: 3, offset: ANSWER_BYTES },
      { start: 2, end: 3, offset: 0 },
    ]);
    await d.acknowledge('fw-2.0', assembler);
    await assembler.verify();
    expect(await d.report('fw-2.0', { 'package-status': 'installed', reboot: true })).toMatchObject({
      'package-status': 'installed',
      confirmed: false,
    });
    d.close();
    const after = await restarted(d);
    // the transaction is still the device's, sent again under the same attempt
    expect(await after.transaction()).toMatchObject({ transactionId: tx.transactionId, attempt: tx.attempt });
    expect(await after.inventory([{ name: 'fw-2.0', version: '2.0' }])).toMatchObject({
      packages: [{ 'package-name': 'fw-2.0', 'package-status': 'installed', confirmed: true, version: '2.0' }],
    });
    expect(await status('fw-2.0', 'sn-fw')).toMatchObject({ 'package-status': 'installed', confirmed: true });
  });

  it('resumes after a cut connection, asking only for the chunks the device does not hold', async () => {
    const d = await sensor('sn-resume');
    await install('resume-1.0', 'sn-resume');
    const tx = await d.transaction();
    const manifest = await d.manifest('resume-1.0');
    const assembler = await Assembler.open({ manifest, storage: d.storage });
    await d.download('resume-1.0', assembler, 1);
    const held = assembler.received;
    expect(held).toBe(ANSWER_BYTES / KIB);
    expect(await d.acknowledge('resume-1.0', assembler)).toMatchObject({
      acknowledged: held,
      total: 300,
      missing: [{ start: held, end: 300 }],
    });
    // the link breaks while the next answer is on its way
    d.client.send({ type: 'package-chunks', id: 'lost', package: 'resume-1.0', start: held, end: 300 });
    d.close();
    const after = await restarted(d);
    expect(await after.transaction()).toMatchObject({ transactionId: tx.transactionId, attempt: tx.attempt });
    const resumed = await Assembler.open({ manifest: await after.manifest('resume-1.0'), storage: after.storage });
    expect(resumed.missing()).toEqual([{ start: held, end: 300 }]);
    await after.download('resume-1.0', resumed);
    expect(after.asked.every((range) => range.start >= held)).toBe(true);
    expect(resumed.complete).toBe(true);
    expect(await after.acknowledge('resume-1.0', resumed)).toMatchObject({ acknowledged: 300, missing: [] });
    await resumed.verify();
    await after.report('resume-1.0', { 'package-status': 'installed', version: '1.0' });
    expect(await status('resume-1.0', 'sn-resume')).toMatchObject({ 'package-status': 'installed', confirmed: true });
  });

  it('serves a corrupted chunk as it is stored: the device refuses it, never acknowledges it, and fails the install', async () => {
    const rows = await t.server.context.db.query<{ bytes: Uint8Array }>(
      'SELECT bytes FROM srv_package_chunks WHERE account = $1 AND package = $2 AND idx = 3',
      ['acme', 'bad-chunk'],
    );
    const bad = new Uint8Array(rows[0]!.bytes);
    bad[100] = bad[100]! ^ 0xff;
    await t.server.context.db.run(
      'UPDATE srv_package_chunks SET bytes = $1 WHERE account = $2 AND package = $3 AND idx = 3',
      [bad, 'acme', 'bad-chunk'],
    );
    const d = await sensor('sn-bad');
    await install('bad-chunk', 'sn-bad');
    await d.transaction();
    const assembler = await Assembler.open({ manifest: await d.manifest('bad-chunk'), storage: d.storage });
    await d.download('bad-chunk', assembler);
    // asked again, the chunk is still not what the manifest names
    await d.download('bad-chunk', assembler);
    expect(d.refused).toEqual([3, 3]);
    expect(assembler.missing()).toEqual([{ start: 3, end: 4 }]);
    expect(await d.acknowledge('bad-chunk', assembler)).toMatchObject({
      acknowledged: 7,
      missing: [{ start: 3, end: 4 }],
    });
    await d.report('bad-chunk', { 'package-status': 'install-failed', message: 'chunk 3 fails its digest' });
    expect(await status('bad-chunk', 'sn-bad')).toMatchObject({
      'package-status': 'install-failed',
      confirmed: false,
      'chunks-acknowledged': 7,
      reason: 'chunk 3 fails its digest',
    });
  });

  it('serves a forged manifest as it is stored: the device finds the signature invalid and fails the install', async () => {
    const [row] = await t.server.context.db.query<{ manifest: Uint8Array }>(
      'SELECT manifest FROM srv_packages WHERE account = $1 AND name = $2',
      ['acme', 'forged'],
    );
    const forged = new Uint8Array(row!.manifest);
    forged[forged.length - 1] = forged[forged.length - 1]! ^ 0x01;
    await t.server.context.db.run('UPDATE srv_packages SET manifest = $1 WHERE account = $2 AND name = $3', [
      forged,
      'acme',
      'forged',
    ]);
    const d = await sensor('sn-forged');
    await install('forged', 'sn-forged');
    await d.transaction();
    await expect(d.manifest('forged')).rejects.toMatchObject({ code: ChunkedErrorCode.SignatureInvalid });
    await d.report('forged', { 'package-status': 'install-failed', message: 'manifest signature invalid' });
    expect(await status('forged', 'sn-forged')).toMatchObject({
      'package-status': 'install-failed',
      reason: 'manifest signature invalid',
      'chunks-acknowledged': 0,
    });
  });

  it('refuses requests with the statuses and codes of the HTTP routes, in a package-error naming the request', async () => {
    const d = await sensor('sn-refuse');
    expect((await d.request({ type: 'package-chunks', package: 'app-1.0', end: 2 })).end).toMatchObject({
      type: 'package-error',
      request: 'package-chunks',
      package: 'app-1.0',
      status: 400,
      code: 'invalid-request',
      issues: [{ path: 'start' }],
    });
    expect((await d.request({ type: 'package-manifest', package: 'nothing' })).end).toMatchObject({
      type: 'package-error',
      status: 404,
      code: 'unknown-package',
    });
    expect((await d.request({ type: 'package-chunks', package: 'app-1.0', start: 600, end: 602 })).end).toMatchObject({
      status: 400,
      code: 'invalid-request',
    });
    expect(await d.report('app-1.0', { 'package-status': 'installed' })).toMatchObject({
      type: 'package-error',
      request: 'package-status',
      status: 409,
      code: 'no-operation',
    });
    expect(
      (await d.request({ type: 'package-ack', package: 'app-1.0', ranges: [{ start: 0, end: 1 }] })).end,
    ).toMatchObject({ status: 409, code: 'no-operation' });
    // the forged package was never fetched: none of its chunks is in the chunk cache
    const db = t.server.context.db;
    await db.run('DELETE FROM srv_package_chunks WHERE account = $1 AND package = $2 AND idx = 0', ['acme', 'forged']);
    expect((await d.request({ type: 'package-chunks', package: 'forged', start: 0, end: 1 })).end).toMatchObject({
      status: 500,
      code: 'chunk-not-stored',
    });
    // a store that fails: the device hears of it instead of waiting for an answer that never comes
    await db.run('ALTER TABLE srv_package_chunks RENAME TO srv_package_chunks_away');
    try {
      expect((await d.request({ type: 'package-chunks', package: 'forged', start: 1, end: 2 })).end).toMatchObject({
        type: 'package-error',
        request: 'package-chunks',
        package: 'forged',
        status: 500,
        code: 'internal-error',
      });
    } finally {
      await db.run('ALTER TABLE srv_package_chunks_away RENAME TO srv_package_chunks');
    }
  });
});
