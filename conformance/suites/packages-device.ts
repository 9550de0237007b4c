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
  rangeRequestHeaders,
  readRangeResponse,
} from '@fleetkit/chunked';
import { CheckFailure } from '../runner/check.ts';
import { pause } from '../runner/devices/device.ts';
import { provisioningKey, register } from '../runner/devices/fleetkit-http.ts';
import { ensure, show } from '../runner/expect.ts';
import type { Tenant } from '../runner/tenant.ts';
import { decodeBase64, encodeBase64 } from './packages-data.ts';

/** An HTTP answer of the device API: its status and JSON body. */
export interface DeviceReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A package command as `GET command` hands it out (docs/server.md, Packages: the command). */
export interface PackageCommand {
  /** `<transaction>.<attempt>`. */
  readonly id: string;
  readonly name: string;
  readonly parameters: Record<string, unknown>;
}

/** What a device's carry-out of an install does at the end. */
export interface CarryOut {
  /** Report the install as taking effect after a restart (`reboot: true`). */
  readonly reboot?: boolean;
  /** Report this failure (`install-failed`…) instead of success. */
  readonly fail?: string;
}

/** The pause between two polls of `GET command`: the server's per-device call budget is a few calls a second. */
const POLL_MS = 200;

/**
 * A device of the HTTP device API (`fleetkit-http`) that takes package
 * operations the way manual §5.7 has it, with `@fleetkit/chunked` doing the
 * verification: it pins the server's key, trusts only a manifest that key
 * signed, fetches the chunks it is missing with HTTP Range requests, stores
 * only chunks whose SHA-256 the manifest names, acknowledges them, checks
 * the Merkle root and reports. Every range it asked for is logged.
 */
export class PackageDevice {
  readonly id: string;
  readonly #base: URL;
  readonly #accessKey: string;
  /** The device's chunk storage: survives its "restarts" (a new Assembler over it resumes). */
  readonly storage: ChunkStorage = createMemoryStorage();
  /** Every chunk range asked for, per package, in order. */
  readonly requested: { readonly package: string; readonly start: number; readonly end: number }[] = [];
  /** What the device runs: package name → version. */
  readonly running = new Map<string, string>();
  #key: CryptoKey | undefined;

  private constructor(id: string, base: URL, accessKey: string) {
    this.id = id;
    this.#base = base;
    this.#accessKey = accessKey;
  }

  /** Creates the device in the tenant's account and registers it with its type's provisioning key. */
  static async provision(tenant: Tenant, id: string, type: string): Promise<PackageDevice> {
    await tenant.type(type);
    await tenant.ok('exodm:create-device', { 'device-id': id, 'device-type': type });
    tenant.undo('exodm:delete-devices', { 'device-id': [id] });
    const credentials = await register(tenant.env.url, {
      account: tenant.account,
      device_id: id,
      provisioning_key: provisioningKey(tenant, type),
    });
    const base = new URL(`v1/devices/${encodeURIComponent(credentials.id)}/`, credentials.hub_url);
    return new PackageDevice(id, base, credentials.access_key);
  }

  /** A request with the access key, answered once the device's call budget allows (429 waits). */
  async send(path: string, init: RequestInit = {}): Promise<Response> {
    for (;;) {
      const headers = new Headers(init.headers);
      headers.set('authorization', this.#accessKey);
      const response = await fetch(new URL(path, this.#base), { ...init, headers });
      if (response.status !== 429) return response;
      await response.body?.cancel();
      await pause(Number(response.headers.get('retry-after') ?? '1') * 1000);
    }
  }

  /** A JSON call; the body parsed (`{}` when empty). */
  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<DeviceReply> {
    const response = await this.send(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (text === '') return { status: response.status, body: {} };
    try {
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      throw new CheckFailure(`${method} ${path} answered HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** `GET package-key`: pins the server's Ed25519 key; every manifest must verify with it. */
  async pin(): Promise<void> {
    const reply = await this.call('GET', 'package-key');
    const key = reply.body['public-key'];
    if (reply.status !== 200 || reply.body.algorithm !== 'Ed25519' || typeof key !== 'string') {
      throw new CheckFailure(
        `GET package-key: expected 200 {algorithm: Ed25519, public-key}, got ${reply.status} ${show(reply.body)}`,
      );
    }
    this.#key = await crypto.subtle.importKey('raw', decodeBase64(key), 'Ed25519', false, ['verify']);
  }

  /** The device's next command, polling up to `waitMs`; undefined when none came. */
  async command(waitMs: number): Promise<PackageCommand | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const reply = await this.call('GET', 'command');
      if (reply.status === 200) return reply.body as unknown as PackageCommand;
      if (reply.status !== 404) throw new CheckFailure(`GET command answered ${reply.status} ${show(reply.body)}`);
      if (Date.now() + POLL_MS > deadline) return undefined;
      await pause(POLL_MS);
    }
  }

  /** A command that must come: fails naming what was expected. */
  async expectCommand(waitMs: number, what: string): Promise<PackageCommand> {
    const command = await this.command(waitMs);
    if (command === undefined)
      throw new CheckFailure(`${this.id} got no command within ${waitMs} ms: expected ${what}`);
    return command;
  }

  /** `GET <manifest>`: the signed manifest, opened with the pinned key (`signature-invalid` otherwise). */
  async manifest(path: string): Promise<Manifest> {
    if (this.#key === undefined) await this.pin();
    const response = await this.send(path);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 200) {
      throw new CheckFailure(`GET ${path} answered ${response.status}: ${new TextDecoder().decode(bytes)}`);
    }
    return openSignedManifest(bytes, ed25519Verifier(this.#key!));
  }

  /**
   * Fetches the chunks of `ranges` with Range requests of up to `perRequest`
   * chunks, feeding each to the assembler (which verifies it before storing
   * it). After each request `onRequest` gets the chunks it brought; returning
   * false stops the transfer there (a power cut). The chunks the assembler
   * already held, that is fetched again, are returned.
   */
  async fetchChunks(
    assembler: Assembler,
    path: string,
    ranges: readonly IndexRange[],
    options: { readonly perRequest: number; readonly onRequest?: (got: IndexRange) => Promise<boolean> },
  ): Promise<number[]> {
    const { manifest } = assembler;
    const again: number[] = [];
    for (const run of ranges) {
      for (let first = run.start; first < run.end; first += options.perRequest) {
        const last = Math.min(run.end, first + options.perRequest);
        const bytes = { start: first * manifest.chunkSize, end: Math.min(manifest.size, last * manifest.chunkSize) };
        this.requested.push({ package: manifest.name, start: first, end: last });
        const response = await this.send(path, { headers: rangeRequestHeaders(manifest, bytes) });
        const body = new Uint8Array(await new Response(readRangeResponse(response, manifest, bytes)).arrayBuffer());
        ensure(
          body.length === bytes.end - bytes.start,
          `the image's bytes ${bytes.start}..${bytes.end} came as ${body.length} bytes`,
        );
        let at = 0;
        for (let index = first; index < last; index++) {
          const length = chunkLength(manifest, index);
          if ((await assembler.accept(index, body.subarray(at, at + length))) === 'duplicate') again.push(index);
          at += length;
        }
        if (options.onRequest !== undefined && !(await options.onRequest({ start: first, end: last }))) return again;
      }
    }
    return again;
  }

  /** `POST <acknowledge>`: the chunks verified and stored, as ranges or the assembler's bitmap. */
  acknowledge(path: string, body: { ranges: readonly IndexRange[] } | { bitmap: Uint8Array }): Promise<DeviceReply> {
    return this.call('POST', path, 'bitmap' in body ? { bitmap: encodeBase64(body.bitmap) } : body);
  }

  /** `POST <report>`: the device's status of its operation. */
  report(path: string, body: Record<string, unknown>): Promise<DeviceReply> {
    return this.call('POST', path, body);
  }

  /** `POST packages` after a start: what the device runs. */
  inventory(): Promise<DeviceReply> {
    const packages = [...this.running].map(([name, version]) => ({ name, version }));
    return this.call('POST', 'packages', { packages });
  }

  /**
   * Carries out a package command: an uninstall is reported at once; an
   * install (or upgrade) fetches and verifies the manifest (its root must be
   * the command's), fetches what the device misses, acknowledges it,
   * verifies the Merkle root over the stored image, and reports. Resolves
   * to the report's answer.
   */
  async carryOut(command: PackageCommand, options: CarryOut = {}): Promise<DeviceReply> {
    const p = command.parameters;
    const name = String(p['package-name']);
    const report = String(p.report);
    if (p.operation === 'uninstall') {
      this.running.delete(name);
      return this.report(report, { 'package-status': 'uninstalled' });
    }
    const manifest = await this.manifest(String(p.manifest));
    ensure(
      manifestId(manifest) === p.root && manifest.name === name && manifest.version === p.version,
      `the signed manifest names ${manifest.name} ${manifest.version} with root ${manifestId(manifest)}; the command ${name} ${show(p.version)} with root ${show(p.root)}`,
    );
    const assembler = await Assembler.open({ manifest, storage: this.storage });
    await this.fetchChunks(assembler, String(p.image), assembler.missing(), { perRequest: 16 });
    const ack = await this.acknowledge(String(p.acknowledge), { bitmap: assembler.bitmap() });
    ensure(ack.status === 200, `POST ${String(p.acknowledge)} answered ${ack.status} ${show(ack.body)}`);
    await assembler.verify();
    if (options.fail !== undefined) return this.report(report, { 'package-status': options.fail, message: 'no space' });
    const done = p.operation === 'upgrade' ? 'upgraded' : 'installed';
    if (options.reboot === true) return this.report(report, { 'package-status': done, reboot: true });
    if (typeof p['from-package'] === 'string') this.running.delete(p['from-package']);
    this.running.set(name, String(p.version));
    return this.report(report, { 'package-status': done, version: p.version });
  }
}
