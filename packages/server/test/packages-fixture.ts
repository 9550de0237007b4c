import {
  Assembler,
  createMemoryStorage,
  ed25519Verifier,
  fetchMissing,
  type Manifest,
  manifestId,
  openSignedManifest,
} from '@fleetkit/chunked';
import { seededImage } from '@fleetkit/chunked/testing';
import { expect } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/packages/base64.ts';
import type { HttpDevice } from './device-fixture.ts';
import type { TestServer } from './harness.ts';

/** The account admin of the package tests. */
export const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };

/** `size` bytes that differ per `seed`: chunked's seeded test image. */
export const imageOf = seededImage;

export function toBase64(bytes: Uint8Array): string {
  return encodeBase64(bytes);
}

/** A package's image as the server stored it: its chunks in order, joined. */
export async function storedImage(t: TestServer, account: string, name: string): Promise<Uint8Array> {
  const rows = await t.server.context.db.query<{ bytes: Uint8Array }>(
    'SELECT bytes FROM srv_package_chunks WHERE account = $1 AND package = $2 ORDER BY idx',
    [account, name],
  );
  const out = new Uint8Array(rows.reduce((n, row) => n + row.bytes.length, 0));
  let at = 0;
  for (const row of rows) {
    out.set(row.bytes, at);
    at += row.bytes.length;
  }
  return out;
}

/** Calls as the account admin and insists on `{"result": "ok"}` (fixtures must exist for a test to mean anything). */
export async function must(
  t: TestServer,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const reply = await t.call(ACME.login, ACME.password, method, params);
  expect(reply.result?.result, `${method} ${JSON.stringify(reply.error ?? reply.result)}`).toBe('ok');
  return reply.result!;
}

/** Whether two byte arrays are equal (a plain loop: deep equality of megabytes is slow in expect). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What a device learns from GET /command. */
export interface Command {
  readonly id: string;
  readonly name: string;
  readonly parameters: Record<string, unknown>;
}

/** A fetch that answers one request of a download: a test wraps it to cut or corrupt the link. */
export type Link = (request: Request) => Promise<Response>;

/**
 * A device of the HTTP device API that installs packages the way manual
 * §5.7 has it, built on chunked's Assembler: it trusts the server's key
 * once, verifies the signed manifest, fetches the chunks it is missing with
 * HTTP Range, stores only chunks whose SHA-256 the manifest names,
 * acknowledges them, checks the Merkle root and reports.
 */
export class PackageDevice {
  readonly http: HttpDevice;
  readonly storage = createMemoryStorage();
  /** Every byte range the device asked the server for, in order. */
  readonly requested: { readonly package: string; readonly start: number; readonly end: number }[] = [];
  /** What the device runs: package name → version. */
  readonly running = new Map<string, string>();
  #key: CryptoKey | undefined;

  constructor(http: HttpDevice) {
    this.http = http;
  }

  get id(): string {
    return this.http.credentials!.id;
  }

  url(path: string): URL {
    const credentials = this.http.credentials!;
    return new URL(`v1/devices/${encodeURIComponent(credentials.id)}/${path}`, credentials.hub_url);
  }

  /** A request with the device's access key. */
  request(path: string, init: RequestInit = {}): Request {
    const headers = new Headers(init.headers);
    headers.set('authorization', this.http.credentials!.access_key);
    return new Request(this.url(path), { ...init, headers });
  }

  /** Pins the server's manifest key (a real device gets it at provisioning). */
  async trust(): Promise<void> {
    const reply = await this.http.call('GET', 'package-key');
    expect(reply.status).toBe(200);
    const raw = decodeBase64(reply.body['public-key'] as string);
    this.#key = await crypto.subtle.importKey('raw', new Uint8Array(raw), 'Ed25519', false, ['verify']);
  }

  async command(): Promise<Command | undefined> {
    const reply = await this.http.call('GET', 'command');
    if (reply.status === 404) return undefined;
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body as unknown as Command;
  }

  /** Fetches and verifies the signed manifest at the command's path; throws `signature-invalid` for a forged one. */
  async manifest(path: string, link: Link = (r) => fetch(r)): Promise<Manifest> {
    const response = await link(this.request(path));
    expect(response.status, await response.clone().text()).toBe(200);
    const envelope = new Uint8Array(await response.arrayBuffer());
    return openSignedManifest(envelope, ed25519Verifier(this.#key!));
  }

  /** Downloads what the assembler misses through `link`, logging every range asked for. */
  async download(manifest: Manifest, path: string, link: Link = (r) => fetch(r)): Promise<Assembler> {
    const assembler = await Assembler.open({ manifest, storage: this.storage });
    await fetchMissing(assembler, {
      url: this.url(path),
      chunksPerRequest: 16,
      fetch: async (request) => {
        const [, start, end] = /bytes=(\d+)-(\d+)/.exec(request.headers.get('range') ?? '') ?? [];
        this.requested.push({ package: manifest.name, start: Number(start), end: Number(end) + 1 });
        const headers = new Headers(request.headers);
        headers.set('authorization', this.http.credentials!.access_key);
        return link(new Request(request.url, { headers }));
      },
    });
    return assembler;
  }

  /** Tells the server which chunks the assembler holds; its answer. */
  async acknowledge(name: string, assembler: Assembler) {
    const reply = await this.http.call('POST', `packages/${encodeURIComponent(name)}/chunks`, {
      bitmap: encodeBase64(assembler.bitmap()),
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  }

  async report(name: string, body: Record<string, unknown>) {
    return this.http.call('POST', `packages/${encodeURIComponent(name)}/status`, body);
  }

  /** After a start: tells the server what the device runs. */
  async inventory() {
    const packages = [...this.running].map(([name, version]) => ({ name, version }));
    return this.http.call('POST', 'packages', { packages });
  }

  /**
   * Carries out a package command: fetch, verify, store, acknowledge,
   * check the whole image, then install (or uninstall) and report.
   * `reboot` reports the install as taking effect after a restart.
   */
  async carryOut(command: Command, options: { readonly reboot?: boolean; readonly fail?: boolean } = {}) {
    const p = command.parameters;
    const name = p['package-name'] as string;
    if (p.operation === 'uninstall') {
      this.running.delete(name);
      return this.report(name, { 'package-status': 'uninstalled' });
    }
    const manifest = await this.manifest(p.manifest as string);
    expect(manifestId(manifest)).toBe(p.root);
    const assembler = await this.download(manifest, p.image as string);
    await this.acknowledge(name, assembler);
    await assembler.verify();
    if (options.fail === true)
      return this.report(name, { 'package-status': `${p.operation}-failed`, message: 'no space' });
    const done = p.operation === 'upgrade' ? 'upgraded' : 'installed';
    if (options.reboot === true) return this.report(name, { 'package-status': done, reboot: true });
    if (typeof p['from-package'] === 'string') this.running.delete(p['from-package']);
    this.running.set(name, p.version as string);
    await assembler.discard();
    return this.report(name, { 'package-status': done, version: p.version });
  }
}
