import { encodeImage, manifestId } from '@fleetkit/chunked';
import { seededImage } from '@fleetkit/chunked/testing/image';
import type { Reply } from '../runner/backend.ts';
import { CheckFailure, Skip } from '../runner/check.ts';
import { pause } from '../runner/devices/device.ts';
import type { Env } from '../runner/env.ts';
import { show } from '../runner/expect.ts';
import type { Endpoint, Received } from '../runner/listener.ts';
import { Tenant } from '../runner/tenant.ts';
import { APP_YANG, CHUNK_SIZE, encodeBase64, PACKAGES, type PackageSpec } from './packages-data.ts';
import { PackageDevice } from './packages-device.ts';

/** The device type whose devices may install every package but `stray` (manual §5.5 item 4). */
export const TYPE = 'pk-type';
/** A device type that allows no package. */
export const OTHER_TYPE = 'pk-other';
/** The method of every package transaction's callbacks (docs/server.md, Packages: callbacks). */
export const NOTIFICATION = 'exodm:package-operation-notification';

type Params = Readonly<Record<string, unknown>>;

/** A package as the suite uploaded it: its declaration and the Merkle root chunked computes for its image. */
export interface Uploaded {
  readonly spec: PackageSpec;
  readonly root: string;
  readonly chunks: number;
}

/**
 * The packages suite's account with its packages uploaded and allowed, and
 * what its checks share: devices of the HTTP device API, the backend calls
 * they make, and the callbacks they wait for.
 */
export class PackagesWorld {
  readonly env: Env;
  readonly tenant: Tenant;
  readonly packages: ReadonlyMap<string, Uploaded>;
  readonly #devices: PackageDevice[] = [];

  private constructor(env: Env, tenant: Tenant, packages: ReadonlyMap<string, Uploaded>) {
    this.env = env;
    this.tenant = tenant;
    this.packages = packages;
  }

  /**
   * Creates the account, uploads the packages inline (`create-package`,
   * manual §5.6) and lets the suite's device type install all but one
   * (`add-package-to-device-type`, §5.5 item 4). A server answering
   * `create-package` with -32601 has no packages: the suite is skipped.
   */
  static async open(env: Env): Promise<PackagesWorld> {
    const tenant = await Tenant.create(env, 'pk');
    try {
      const packages = new Map<string, Uploaded>();
      for (const [index, spec] of PACKAGES.entries()) {
        if (spec.configuration !== undefined) await tenant.module(spec.configuration.module, APP_YANG);
        const image = seededImage(spec.size, index + 1);
        const reply = await tenant.call('exodm:create-package', {
          'package-name': spec.name,
          version: spec.version,
          'chunk-size': CHUNK_SIZE,
          ...(spec.prerequisites === undefined ? {} : { 'prerequisite-packages': spec.prerequisites }),
          ...(spec.upgradeFrom === undefined ? {} : { 'upgrade-from-packages': spec.upgradeFrom }),
          ...(spec.configuration === undefined
            ? {}
            : {
                'yang-specification': spec.configuration.module,
                'configuration-container': spec.configuration.container,
              }),
          image: encodeBase64(image),
        });
        if (reply.error?.code === -32601) {
          throw new Skip(`the server has no packages: exodm:create-package answered ${show(reply.error)}`);
        }
        if (reply.result?.result !== 'ok') {
          throw new CheckFailure(
            `create-package ${spec.name}: expected result ok, got ${show(reply.error ?? reply.result)}`,
          );
        }
        // newest first: a package goes before the ones it needs, and before its module
        tenant.undo('exodm:delete-package', { 'package-name': [spec.name] });
        const manifest = await encodeImage(image, {
          name: spec.name,
          version: spec.version,
          sequence: 1,
          chunkSize: CHUNK_SIZE,
        });
        packages.set(spec.name, { spec, root: manifestId(manifest), chunks: Math.ceil(spec.size / CHUNK_SIZE) });
      }
      await tenant.type(TYPE);
      await tenant.type(OTHER_TYPE);
      await tenant.ok('exodm:add-package-to-device-type', {
        'package-name': PACKAGES.filter((spec) => spec.disallowed !== true).map((spec) => spec.name),
        'device-type': TYPE,
      });
      return new PackagesWorld(env, tenant, packages);
    } catch (error) {
      await tenant.dispose();
      throw error;
    }
  }

  /** How long to wait for a command or a callback. */
  get waitMs(): number {
    return this.env.waitMs;
  }

  /** A package the suite uploaded. */
  uploaded(name: string): Uploaded {
    const found = this.packages.get(name);
    if (found === undefined) throw new CheckFailure(`the suite uploaded no package ${name}`);
    return found;
  }

  /** A registered device of `type` that pinned the server's key. */
  async device(id: string, type = TYPE): Promise<PackageDevice> {
    const device = await PackageDevice.provision(this.tenant, id, type);
    this.#devices.push(device);
    await device.pin();
    return device;
  }

  /** A backend call as the account's admin. */
  call(method: string, params: Params): Promise<Reply> {
    return this.tenant.call(method, { ...params });
  }

  /** A package operation that must be queued: the package names of its `transactions`, in order, and their ids. */
  async queue(method: string, params: Params): Promise<{ names: string[]; ids: string[] }> {
    const reply = await this.call(method, params);
    const transactions = reply.result?.transactions;
    if (reply.result?.result !== 'ok' || !Array.isArray(transactions)) {
      throw new CheckFailure(
        `${method} ${show(params)}: expected result ok with transactions, got ${show(reply.error ?? reply.result)}`,
      );
    }
    const list = transactions as Record<string, unknown>[];
    return { names: list.map((t) => String(t['package-name'])), ids: list.map((t) => String(t['transaction-id'])) };
  }

  /** `get-package-status` of a package on a device or group (must answer ok). */
  async status(name: string, id: string): Promise<Record<string, unknown>> {
    const reply = await this.call('exodm:get-package-status', { 'package-name': name, 'device-id': id });
    if (reply.result?.result !== 'ok') {
      throw new CheckFailure(`get-package-status ${name} on ${id}: ${show(reply.error ?? reply.result)}`);
    }
    return reply.result;
  }

  /** The device ids `list-devices-with-package` gives for a package, with their package-status. */
  async holders(name: string): Promise<Map<string, unknown>> {
    const reply = await this.call('exodm:list-devices-with-package', { 'package-name': name, n: 100 });
    const devices = reply.result?.devices;
    if (reply.result?.result !== 'ok' || !Array.isArray(devices)) {
      throw new CheckFailure(`list-devices-with-package ${name}: ${show(reply.error ?? reply.result)}`);
    }
    return new Map((devices as Record<string, unknown>[]).map((d) => [String(d['device-id']), d['package-status']]));
  }

  /** Reads `read` until `done` holds of its value, up to the wait; the last value read. */
  async eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new CheckFailure(`${what} within ${this.waitMs} ms: still ${show(value)}`);
      await pause(100);
    }
  }

  /** Closes the devices and deletes what the suite made. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.#devices.map((device) => device.close()));
    await this.tenant.dispose();
  }
}

/** Whether a callback is the package notification about `name` on `device` (and `final`, when given). */
export function aboutPackage(request: Received, device: string, name: string, final?: boolean): boolean {
  const params = request.body.params;
  return (
    request.body.method === NOTIFICATION &&
    params?.['device-id'] === device &&
    params['package-name'] === name &&
    (final === undefined || params.final === final)
  );
}

/** The final package notification about `name` on `device`, waiting for it. */
export async function finalCallback(
  endpoint: Endpoint,
  device: string,
  name: string,
  ms: number,
): Promise<Record<string, unknown>> {
  const found = await endpoint.waitFor(
    (r) => aboutPackage(r, device, name, true),
    `final ${NOTIFICATION} of ${name} on ${device}`,
    ms,
  );
  return found.body.params ?? {};
}
