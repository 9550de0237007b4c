import { serveImage } from '@fleetkit/chunked';
import type { Transaction } from '@fleetkit/txqueue';
import type { Context, Hono } from 'hono';
import * as v from 'valibot';
import { encodeBase64 } from '../packages/base64.ts';
import { devicePackage, devicePackages, markOperation, recordAcknowledged } from '../packages/device-store.ts';
import { cachedImageReader } from '../packages/image-reader.ts';
import { ackOperation, ensureOperation, type OperationPayload, payloadOf } from '../packages/operations.ts';
import { acknowledgement, ackOfReport, afterRestart, detail, merged, report } from '../packages/reports.ts';
import { packagesOf } from '../packages/service.ts';
import { deviceStatusObject } from '../packages/views.ts';
import { findDeviceType } from '../store/device-types.ts';
import type { Device } from '../store/devices.ts';
import { findPackage, type PackageRecord, packageManifest, typeAllowance } from '../store/packages.ts';
import { queueOf } from './engine.ts';
import { bodyOf, type DeviceEnv } from './http.ts';
import { problem } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';

const inventory = v.object({
  packages: v.pipe(
    v.array(
      v.object({
        name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
        'package-name': v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
        version: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
      }),
    ),
    v.maxLength(10_000),
  ),
});

/** The device's package operation under way for `name`: its current transaction, when that is one. */
async function currentOperation(runtime: DeviceRuntime, device: Device, name: string) {
  const head = await runtime.engine.head(queueOf(device));
  const payload = payloadOf(head);
  if (head === undefined || payload === undefined || payload['package-name'] !== name) return undefined;
  const { server } = runtime;
  await ensureOperation(server.db, device.account, device, head, server.clock.now());
  return { transaction: head, payload };
}

/** May the device fetch this package: its type allows it, or an operation of it is under way there. */
async function mayFetch(runtime: DeviceRuntime, device: Device, record: PackageRecord): Promise<boolean> {
  const { db } = runtime.server;
  const type = await findDeviceType(db, device.account, device.deviceType);
  if (type !== undefined) {
    const allowed = await typeAllowance(db, device.account, {
      type: type.name,
      typeCreated: type.createdAt,
      package: record.name,
    });
    if (allowed !== undefined) return true;
  }
  return (await devicePackage(db, device.account, device, record.name))?.opTx !== undefined;
}

async function fetchable(runtime: DeviceRuntime, c: Context<DeviceEnv>) {
  const device = c.get('device');
  const record = await findPackage(runtime.server.db, device.account, c.req.param('name') ?? '');
  if (record === undefined) return { refused: problem(404, 'unknown-package', 'No such package') };
  if (!(await mayFetch(runtime, device, record))) {
    return {
      refused: problem(403, 'package-not-allowed', `Package ${record.name} is not allowed on this device's type`),
    };
  }
  return { device, record };
}

/**
 * Before a device fetches an install's manifest, the server settles what it
 * can decide itself: a dependency that did not get installed fails the
 * install (`dependency-failure`), and a package the device has already
 * (a group member that had it) completes it. Undefined: go ahead.
 */
async function settleBeforeFetch(
  runtime: DeviceRuntime,
  device: Device,
  operation: { readonly transaction: Transaction; readonly payload: OperationPayload },
  record: PackageRecord,
): Promise<Response | undefined> {
  const { payload, transaction } = operation;
  if ((payload.operation !== 'install' && payload.operation !== 'upgrade') || transaction.attempt === 0)
    return undefined;
  const { server } = runtime;
  const rows = new Map((await devicePackages(server.db, device.account, device)).map((row) => [row.package, row]));
  const missing = record.prerequisites.filter((name) => rows.get(name)?.installed !== true);
  if (missing.length > 0) {
    const reason = `${missing.join(', ')} not installed`;
    await ackOperation(server, device, {
      transaction,
      status: 'device-error',
      detail: detail(payload, { 'package-status': 'dependency-failure', reason }),
    });
    return problem(409, 'dependency-failure', `Cannot install ${record.name}: ${reason}`);
  }
  if (payload.operation === 'install' && rows.get(record.name)?.installed === true) {
    await ackOperation(server, device, {
      transaction,
      status: 'complete',
      detail: detail(payload, { 'package-status': 'installed', confirmed: true, reason: 'already installed' }),
    });
    return problem(409, 'already-installed', `${record.name} is installed already: nothing to do`);
  }
  return undefined;
}

/**
 * The package transfer of the HTTP device API (manual §5.7): a device
 * fetches the server's public key, the signed manifest and byte ranges of
 * the image (chunked's `serveImage`: Range, If-Range on the Merkle root),
 * acknowledges the chunks it verified and stored, and reports its
 * operation; the server records the progress and turns the reports into
 * acks of the package transaction (docs/server.md §Packages).
 */
export function packageRoutes(app: Hono<DeviceEnv>, runtime: DeviceRuntime): void {
  const { server, engine } = runtime;
  app.get('/devices/:id/package-key', (c) =>
    c.json({ algorithm: 'Ed25519', 'public-key': encodeBase64(packagesOf(server).signing.publicKey) }),
  );
  const view = async (device: Device) =>
    (await devicePackages(server.db, device.account, device)).map((row) =>
      deviceStatusObject(device.deviceId, row.package, row),
    );
  app.get('/devices/:id/packages', async (c) => c.json({ packages: await view(c.get('device')) }));
  app.get('/devices/:id/packages/:name/manifest', async (c) => {
    const found = await fetchable(runtime, c);
    if ('refused' in found) return found.refused;
    const { device, record } = found;
    const refusal = await engine.serially(queueOf(device), async () => {
      const operation = await currentOperation(runtime, device, record.name);
      return operation === undefined ? undefined : settleBeforeFetch(runtime, device, operation, record);
    });
    if (refusal !== undefined) return refusal;
    const envelope = await packageManifest(server.db, device.account, record.name);
    if (envelope === undefined) return problem(404, 'unknown-package', 'No such package');
    return new Response(new Uint8Array(envelope), {
      headers: { 'content-type': 'application/octet-stream', etag: `"${record.root}"` },
    });
  });
  app.get('/devices/:id/packages/:name/image', async (c) => {
    const found = await fetchable(runtime, c);
    if ('refused' in found) return found.refused;
    const { device, record } = found;
    const service = packagesOf(server);
    const manifest = await service.manifest(device.account, record);
    const key = { account: device.account, package: record.name, root: record.root, chunks: record.chunks };
    return serveImage(c.req.raw, cachedImageReader(service.cache, key, manifest));
  });
  app.post('/devices/:id/packages/:name/chunks', async (c) => {
    const device = c.get('device');
    const body = await bodyOf(runtime, c.req.raw, acknowledgement);
    if ('refused' in body) return body.refused;
    const name = c.req.param('name');
    return engine.serially(queueOf(device), async () => {
      const operation = await currentOperation(runtime, device, name);
      const row = await devicePackage(server.db, device.account, device, name);
      const record = await findPackage(server.db, device.account, name);
      if (row === undefined || record === undefined || (operation === undefined && row.opTx === undefined)) {
        return problem(409, 'no-operation', `No operation of package ${name} is under way on this device`);
      }
      const bits = merged(row, record.chunks, body.value);
      if (typeof bits === 'string') return problem(400, 'invalid-request', bits);
      const now = server.clock.now();
      await recordAcknowledged(server.db, device.account, {
        device,
        package: name,
        bitmap: bits.toBytes(),
        acked: bits.count,
        now,
      });
      if (operation !== undefined && operation.transaction.attempt > 0 && bits.count > row.acked) {
        const status = bits.complete ? 'transmitted' : 'transferring';
        await markOperation(server.db, device.account, {
          device,
          package: name,
          tx: operation.transaction.id,
          status,
          now,
        });
        await ackOperation(server, device, {
          transaction: operation.transaction,
          status: 'progress',
          detail: detail(operation.payload, {
            'package-status': status,
            'chunks-acknowledged': bits.count,
            'chunks-total': record.chunks,
          }),
        });
      }
      return c.json({ 'package-name': name, acknowledged: bits.count, total: record.chunks, missing: bits.missing() });
    });
  });
  app.post('/devices/:id/packages/:name/status', async (c) => {
    const device = c.get('device');
    const body = await bodyOf(runtime, c.req.raw, report);
    if ('refused' in body) return body.refused;
    const name = c.req.param('name');
    return engine.serially(queueOf(device), async () => {
      const operation = await currentOperation(runtime, device, name);
      if (operation === undefined)
        return problem(409, 'no-operation', `No operation of package ${name} is under way on this device`);
      if (operation.transaction.attempt === 0) return problem(409, 'not-delivered', 'Fetch the command first');
      const row = await devicePackage(server.db, device.account, device, name);
      const ack = ackOfReport(operation.payload, row, body.value);
      if (ack instanceof Response) return ack;
      if (ack.mark !== undefined) {
        await markOperation(server.db, device.account, {
          device,
          package: name,
          tx: operation.transaction.id,
          status: ack.mark,
          reboot: ack.detail.reboot === true,
          now: server.clock.now(),
        });
      }
      const outcome = await ackOperation(server, device, {
        transaction: operation.transaction,
        status: ack.status,
        detail: ack.detail,
      });
      if (outcome.outcome === 'rejected')
        return problem(409, outcome.reason, `Cannot report on ${name}: ${outcome.reason}`);
      return c.json(
        deviceStatusObject(device.deviceId, name, await devicePackage(server.db, device.account, device, name)),
      );
    });
  });
  app.post('/devices/:id/packages', async (c) => {
    const device = c.get('device');
    const body = await bodyOf(runtime, c.req.raw, inventory);
    if ('refused' in body) return body.refused;
    await engine.serially(queueOf(device), async () => {
      const head = await engine.head(queueOf(device));
      const payload = payloadOf(head);
      if (head === undefined || payload === undefined || head.attempt === 0) return;
      const row = await devicePackage(server.db, device.account, device, payload['package-name']);
      if (row?.opTx !== head.id || !row.opReboot) return;
      // the report a device sends after it started: what it runs now confirms the install or fails it
      const running = body.value.packages.find(
        (entry) => (entry['package-name'] ?? entry.name) === payload['package-name'],
      );
      const ack = afterRestart(payload, running);
      await ackOperation(server, device, { transaction: head, status: ack.status, detail: ack.detail });
      await ackOperation(server, device, { transaction: head, status: ack.status, detail: ack.detail });
    });
    return c.json({ packages: await view(device) });
  });
}
