import type { Manifest } from '@fleetkit/chunked';
import type { Transaction } from '@fleetkit/txqueue';
import type * as v from 'valibot';
import { queueOf } from '../devices/engine.ts';
import type { DeviceRuntime } from '../devices/runtime.ts';
import { findDeviceType } from '../store/device-types.ts';
import type { Device } from '../store/devices.ts';
import { typeAllowance } from '../store/package-targets.ts';
import { findPackage, type PackageRecord, packageManifest } from '../store/packages.ts';
import { encodeBase64 } from './base64.ts';
import type { ImageKey } from './chunk-cache.ts';
import { devicePackage, devicePackages, markOperation, recordAcknowledged } from './device-store.ts';
import { ackOperation, ensureOperation, type OperationPayload, payloadOf } from './operations.ts';
import type { Refused } from './refusal.ts';
import { type acknowledgement, ackOfReport, afterRestart, detail, merged, type report } from './reports.ts';
import { packagesOf } from './service.ts';
import { deviceStatusObject } from './views.ts';

/**
 * What a device asks of the package transfer, whichever plugin carries it
 * (docs/server.md §Packages): the `fleetkit-http` routes and the broker's
 * package messages call these and only render the answer or the refusal.
 */

/** A device's package inventory report: what it runs after a start. */
export interface Inventory {
  readonly packages: readonly {
    readonly name?: string | undefined;
    readonly 'package-name'?: string | undefined;
    readonly version?: string | undefined;
  }[];
}

/** A package a device may fetch, with what its transfer needs. */
export interface Fetchable {
  readonly record: PackageRecord;
  /** The image's chunks in the process's chunk cache. */
  readonly image: ImageKey;
}

function refuse(status: number, code: string, message: string): Refused {
  return { refused: { status, code, message } };
}

const NO_OPERATION = (name: string) =>
  refuse(409, 'no-operation', `No operation of package ${name} is under way on this device`);

/** A transfer the backend cancelled stops at the device's next request; the command says the rest. */
const CANCELLING = (name: string) =>
  refuse(409, 'cancelling', `The operation of package ${name} is being cancelled: fetch the command`);

/** The server's manifest key: devices pin it and trust only manifests it verifies. */
export function packageKey(runtime: DeviceRuntime): { readonly algorithm: 'Ed25519'; readonly 'public-key': string } {
  return { algorithm: 'Ed25519', 'public-key': encodeBase64(packagesOf(runtime.server).signing.publicKey) };
}

/** The server's view of a device's packages. */
export async function packageView(runtime: DeviceRuntime, device: Device): Promise<Record<string, unknown>[]> {
  return (await devicePackages(runtime.server.db, device.account, device)).map((row) =>
    deviceStatusObject(device.deviceId, row.package, row),
  );
}

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

/** The package `name` when the device may fetch it: `unknown-package` (404) or `package-not-allowed` (403) if not. */
export async function fetchable(runtime: DeviceRuntime, device: Device, name: string): Promise<Fetchable | Refused> {
  const record = await findPackage(runtime.server.db, device.account, name);
  if (record === undefined) return refuse(404, 'unknown-package', 'No such package');
  if (!(await mayFetch(runtime, device, record))) {
    return refuse(403, 'package-not-allowed', `Package ${record.name} is not allowed on this device's type`);
  }
  return {
    record,
    image: { account: device.account, package: record.name, root: record.root, chunks: record.chunks },
  };
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
): Promise<Refused | undefined> {
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
    return refuse(409, 'dependency-failure', `Cannot install ${record.name}: ${reason}`);
  }
  if (payload.operation === 'install' && rows.get(record.name)?.installed === true) {
    await ackOperation(server, device, {
      transaction,
      status: 'complete',
      detail: detail(payload, { 'package-status': 'installed', confirmed: true, reason: 'already installed' }),
    });
    return refuse(409, 'already-installed', `${record.name} is installed already: nothing to do`);
  }
  return undefined;
}

/** The signed manifest envelope of a package the device may fetch, once the server settled what it can. */
export async function manifestFor(
  runtime: DeviceRuntime,
  device: Device,
  name: string,
): Promise<{ readonly record: PackageRecord; readonly envelope: Uint8Array } | Refused> {
  const found = await fetchable(runtime, device, name);
  if ('refused' in found) return found;
  const { record } = found;
  const refusal = await runtime.engine.serially(queueOf(device), async () => {
    const operation = await currentOperation(runtime, device, record.name);
    if (operation?.transaction.state === 'cancelling') return CANCELLING(record.name);
    return operation === undefined ? undefined : settleBeforeFetch(runtime, device, operation, record);
  });
  if (refusal !== undefined) return refusal;
  const envelope = await packageManifest(runtime.server.db, device.account, record.name);
  if (envelope === undefined) return refuse(404, 'unknown-package', 'No such package');
  return { record, envelope };
}

/** A package's manifest as the server signed it, decoded (the image's chunk sizes and digests). */
export function manifestOf(runtime: DeviceRuntime, device: Device, record: PackageRecord): Promise<Manifest> {
  return packagesOf(runtime.server).manifest(device.account, record);
}

/**
 * Records the chunks a device acknowledged (the union of its reports) and,
 * while its operation of the package runs, reports `transferring` or
 * `transmitted` progress on the transaction.
 */
export async function acknowledgeChunks(
  runtime: DeviceRuntime,
  device: Device,
  name: string,
  body: v.InferOutput<typeof acknowledgement>,
): Promise<Record<string, unknown> | Refused> {
  const { server, engine } = runtime;
  return engine.serially(queueOf(device), async () => {
    const operation = await currentOperation(runtime, device, name);
    if (operation?.transaction.state === 'cancelling') return CANCELLING(name);
    const row = await devicePackage(server.db, device.account, device, name);
    const record = await findPackage(server.db, device.account, name);
    if (row === undefined || record === undefined || (operation === undefined && row.opTx === undefined)) {
      return NO_OPERATION(name);
    }
    const bits = merged(row, record.chunks, body);
    if (typeof bits === 'string') return refuse(400, 'invalid-request', bits);
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
    return { 'package-name': name, acknowledged: bits.count, total: record.chunks, missing: bits.missing() };
  });
}

/** A device's report of its operation, as the ack of the package transaction it makes; the device's state after it. */
export async function reportStatus(
  runtime: DeviceRuntime,
  device: Device,
  name: string,
  body: v.InferOutput<typeof report>,
): Promise<Record<string, unknown> | Refused> {
  const { server, engine } = runtime;
  return engine.serially(queueOf(device), async () => {
    const operation = await currentOperation(runtime, device, name);
    if (operation === undefined) return NO_OPERATION(name);
    if (operation.transaction.attempt === 0) return refuse(409, 'not-delivered', 'Fetch the command first');
    const row = await devicePackage(server.db, device.account, device, name);
    const ack = ackOfReport(operation.payload, row, body);
    if ('refused' in ack) return ack;
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
      return refuse(409, outcome.reason, `Cannot report on ${name}: ${outcome.reason}`);
    return deviceStatusObject(device.deviceId, name, await devicePackage(server.db, device.account, device, name));
  });
}

/**
 * A device's inventory after a start: what it runs confirms the install
 * that waited for its restart, or fails it. Resolves to the server's view
 * of the device's packages.
 */
export async function reportInventory(
  runtime: DeviceRuntime,
  device: Device,
  inventory: Inventory,
): Promise<Record<string, unknown>[]> {
  const { server, engine } = runtime;
  await engine.serially(queueOf(device), async () => {
    const head = await engine.head(queueOf(device));
    const payload = payloadOf(head);
    if (head === undefined || payload === undefined || head.attempt === 0) return;
    const row = await devicePackage(server.db, device.account, device, payload['package-name']);
    if (row?.opTx !== head.id || !row.opReboot) return;
    const running = inventory.packages.find(
      (entry) => (entry['package-name'] ?? entry.name) === payload['package-name'],
    );
    const ack = afterRestart(payload, running);
    await ackOperation(server, device, { transaction: head, status: ack.status, detail: ack.detail });
  });
  return packageView(runtime, device);
}
