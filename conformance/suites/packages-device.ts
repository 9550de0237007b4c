import {
  Assembler,
  type ChunkStorage,
  chunkLength,
  createMemoryStorage,
  ed25519Verifier,
  type IndexRange,
  type Manifest,
  manifestId,
  openSignedManifest,
} from '@fleetkit/chunked';
import { CheckFailure } from '../runner/check.ts';
import { provisioningKey, register } from '../runner/devices/fleetkit-http.ts';
import { ensure, show } from '../runner/expect.ts';
import type { Tenant } from '../runner/tenant.ts';
import { BrokerWire } from './packages-broker.ts';
import { decodeBase64, encodeBase64 } from './packages-data.ts';
import { HttpWire } from './packages-http.ts';
import type { PackageCommand, PackageWire, Target, WireReply } from './packages-wire.ts';

/** What a device's carry-out of an install does at the end. */
export interface CarryOut {
  /** Report the install as taking effect after a restart (`reboot: true`). */
  readonly reboot?: boolean;
  /** Report this failure (`install-failed`…) instead of success. */
  readonly fail?: string;
}

/** Where a command says to send each request of its package. */
function targets(command: PackageCommand) {
  const p = command.parameters;
  const name = String(p['package-name']);
  const at = (path: unknown): Target => (typeof path === 'string' ? { name, path } : { name });
  return { name, manifest: at(p.manifest), image: at(p.image), acknowledge: at(p.acknowledge), report: at(p.report) };
}

/**
 * A device that takes package operations the way manual §5.7 has it, with
 * `@fleetkit/chunked` doing the verification: it pins the server's key,
 * trusts only a manifest that key signed, fetches the chunks it is missing,
 * stores only chunks whose SHA-256 the manifest names, acknowledges them,
 * checks the Merkle root and reports. It talks to the server over the HTTP
 * device API or its broker connection; every chunk range it asked for is logged.
 */
export class PackageDevice {
  readonly id: string;
  readonly wire: PackageWire;
  /** The device's chunk storage: survives its restarts (a new Assembler over it resumes). */
  readonly storage: ChunkStorage = createMemoryStorage();
  /** Every chunk range asked for, per package, in order. */
  readonly requested: { readonly package: string; readonly start: number; readonly end: number }[] = [];
  /** What the device runs: package name → version. */
  readonly running = new Map<string, string>();
  #key: CryptoKey | undefined;

  private constructor(id: string, wire: PackageWire) {
    this.id = id;
    this.wire = wire;
  }

  /**
   * Creates the device in the tenant's account (its type made with the run's
   * device API) and registers it with the type's provisioning key; a broker
   * device connects at once.
   */
  static async provision(tenant: Tenant, id: string, type: string): Promise<PackageDevice> {
    await tenant.type(type);
    await tenant.ok('exodm:create-device', { 'device-id': id, 'device-type': type });
    tenant.undo('exodm:delete-devices', { 'device-id': [id] });
    const { env } = tenant;
    const credentials = await register(env.url, {
      account: tenant.account,
      device_id: id,
      provisioning_key: provisioningKey(tenant, type),
    });
    if (env.devices.name === 'broker') {
      const url = `${env.brokerUrl.replace(/\/+$/, '')}/devices?apiKey=${encodeURIComponent(credentials.access_key)}`;
      const wire = new BrokerWire(url, credentials.id, env.waitMs);
      await wire.connect();
      return new PackageDevice(id, wire);
    }
    const base = new URL(`v1/devices/${encodeURIComponent(credentials.id)}/`, credentials.hub_url);
    return new PackageDevice(id, new HttpWire(base, credentials.access_key, env.waitMs));
  }

  /** The package-key request: pins the server's Ed25519 key; every manifest must verify with it. */
  async pin(): Promise<void> {
    const reply = await this.wire.key();
    const key = reply.body['public-key'];
    if (reply.status !== 200 || reply.body.algorithm !== 'Ed25519' || typeof key !== 'string') {
      throw new CheckFailure(
        `package-key: expected {algorithm: Ed25519, public-key}, got ${reply.status} ${show(reply.body)}`,
      );
    }
    this.#key = await crypto.subtle.importKey('raw', decodeBase64(key), 'Ed25519', false, ['verify']);
  }

  /** The device's next command, waiting up to `waitMs`; undefined when none came. */
  command(waitMs: number): Promise<PackageCommand | undefined> {
    return this.wire.command(waitMs);
  }

  /** A command that must come: fails naming what was expected. */
  async expectCommand(waitMs: number, what: string): Promise<PackageCommand> {
    const command = await this.wire.command(waitMs);
    if (command === undefined)
      throw new CheckFailure(`${this.id} got no command within ${waitMs} ms: expected ${what}`);
    return command;
  }

  /** The device has no command: the server queued nothing for it. */
  async noCommand(after: string): Promise<void> {
    const command = await this.wire.command(this.wire.quietMs);
    ensure(command === undefined, `${this.id} got a command after ${after}: ${show(command)}`);
  }

  /** The device goes down and starts again. */
  restart(): Promise<void> {
    return this.wire.restart();
  }

  /** The manifest request's status and body, without opening the manifest (for refusals). */
  async manifestReply(target: Target): Promise<WireReply> {
    const reply = await this.wire.manifest(target);
    return { status: reply.status, body: reply.body };
  }

  /** The signed manifest, opened with the pinned key (`signature-invalid` otherwise). */
  async manifest(target: Target): Promise<Manifest> {
    if (this.#key === undefined) await this.pin();
    const reply = await this.wire.manifest(target);
    if (reply.status !== 200 || reply.bytes === undefined) {
      throw new CheckFailure(`the manifest of ${target.name} answered ${reply.status} ${show(reply.body)}`);
    }
    return openSignedManifest(reply.bytes, ed25519Verifier(this.#key!));
  }

  /** An image request without a manifest: the answer's status and body (a refusal's). */
  async imageReply(target: Target): Promise<WireReply> {
    const reply = await this.wire.chunks(target, { first: 0, last: 1 });
    return { status: reply.status, body: reply.body };
  }

  /**
   * Fetches the chunks of `ranges` in requests of up to `perRequest` chunks,
   * feeding each to the assembler (which verifies it before storing it).
   * After each request `onRequest` gets the chunks it brought; returning
   * false stops the transfer there (a power cut). The chunks the assembler
   * already held, that is fetched again, are returned.
   */
  async fetchChunks(
    assembler: Assembler,
    target: Target,
    ranges: readonly IndexRange[],
    options: { readonly perRequest: number; readonly onRequest?: (got: IndexRange) => Promise<boolean> },
  ): Promise<number[]> {
    const { manifest } = assembler;
    const again: number[] = [];
    for (const run of ranges) {
      for (let first = run.start; first < run.end; first += options.perRequest) {
        const last = Math.min(run.end, first + options.perRequest);
        this.requested.push({ package: manifest.name, start: first, end: last });
        const reply = await this.wire.chunks(target, { first, last, manifest });
        if (reply.bytes === undefined) {
          throw new CheckFailure(`chunks ${first}..${last - 1} of ${target.name}: ${reply.status} ${show(reply.body)}`);
        }
        let at = 0;
        for (let index = first; index < last; index++) {
          const length = chunkLength(manifest, index);
          if ((await assembler.accept(index, reply.bytes.subarray(at, at + length))) === 'duplicate') again.push(index);
          at += length;
        }
        if (options.onRequest !== undefined && !(await options.onRequest({ start: first, end: last }))) return again;
      }
    }
    return again;
  }

  /** Acknowledges the chunks verified and stored, as ranges or the assembler's bitmap. */
  acknowledge(target: Target, body: { ranges: readonly IndexRange[] } | { bitmap: Uint8Array }): Promise<WireReply> {
    return this.wire.acknowledge(target, 'bitmap' in body ? { bitmap: encodeBase64(body.bitmap) } : body);
  }

  /** Reports the operation's status. */
  report(target: Target, body: Record<string, unknown>): Promise<WireReply> {
    return this.wire.report(target, body);
  }

  /** After a start: what the device runs. */
  inventory(): Promise<WireReply> {
    return this.wire.inventory([...this.running].map(([name, version]) => ({ name, version })));
  }

  /** Where the command says to send each request of its package. */
  targets(command: PackageCommand): ReturnType<typeof targets> {
    return targets(command);
  }

  /**
   * Carries out a package command: an uninstall is reported at once; an
   * install (or upgrade) fetches and verifies the manifest (its root must be
   * the command's), fetches what the device misses, acknowledges it,
   * verifies the Merkle root over the stored image, and reports. Resolves
   * to the report's answer.
   */
  async carryOut(command: PackageCommand, options: CarryOut = {}): Promise<WireReply> {
    const p = command.parameters;
    const to = targets(command);
    if (p.operation === 'uninstall') {
      this.running.delete(to.name);
      return this.report(to.report, { 'package-status': 'uninstalled' });
    }
    const manifest = await this.manifest(to.manifest);
    ensure(
      manifestId(manifest) === p.root && manifest.name === to.name && manifest.version === p.version,
      `the signed manifest names ${manifest.name} ${manifest.version} with root ${manifestId(manifest)}; the command ${to.name} ${show(p.version)} with root ${show(p.root)}`,
    );
    const assembler = await Assembler.open({ manifest, storage: this.storage });
    await this.fetchChunks(assembler, to.image, assembler.missing(), { perRequest: 16 });
    const ack = await this.acknowledge(to.acknowledge, { bitmap: assembler.bitmap() });
    ensure(ack.status === 200, `the acknowledgement of ${to.name} answered ${ack.status} ${show(ack.body)}`);
    await assembler.verify();
    if (options.fail !== undefined) {
      return this.report(to.report, { 'package-status': options.fail, message: 'no space' });
    }
    const done = p.operation === 'upgrade' ? 'upgraded' : 'installed';
    if (options.reboot === true) return this.report(to.report, { 'package-status': done, reboot: true });
    if (typeof p['from-package'] === 'string') this.running.delete(p['from-package']);
    this.running.set(to.name, String(p.version));
    return this.report(to.report, { 'package-status': done, version: p.version });
  }

  close(): Promise<void> {
    return this.wire.close();
  }
}
