import { type Manifest, rangeRequestHeaders, readRangeResponse } from '@fleetkit/chunked';
import { CheckFailure } from '../runner/check.ts';
import { pause } from '../runner/devices/device.ts';
import type { ChunksReply, PackageCommand, PackageWire, Target, WireReply } from './packages-wire.ts';

/** The pause between two polls of `GET command`: the server's per-device call budget is a few calls a second. */
const POLL_MS = 200;

/**
 * The package transfer of the HTTP device API, under `/v1/devices/{id}/`
 * with the access key: the paths come from the command (relative to that
 * base), a 429 is waited out.
 */
export class HttpWire implements PackageWire {
  readonly quietMs = 0;
  readonly #base: URL;
  readonly #accessKey: string;
  readonly #waitMs: number;

  constructor(base: URL, accessKey: string, waitMs: number) {
    this.#base = base;
    this.#accessKey = accessKey;
    this.#waitMs = waitMs;
  }

  key(): Promise<WireReply> {
    return this.#json('GET', 'package-key');
  }

  async command(waitMs: number): Promise<PackageCommand | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const reply = await this.#json('GET', 'command');
      if (reply.status === 200) return reply.body as unknown as PackageCommand;
      if (reply.status !== 404) {
        throw new CheckFailure(`GET command answered ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      if (Date.now() + POLL_MS > deadline) return undefined;
      await pause(POLL_MS);
    }
  }

  async restart(): Promise<void> {}

  async manifest(target: Target): Promise<ChunksReply> {
    const response = await this.#send(target.path ?? `${packagePath(target.name)}/manifest`);
    return response.status === 200 ? { status: 200, body: {}, bytes: await bytesOf(response) } : refusal(response);
  }

  async chunks(target: Target, range: { first: number; last: number; manifest?: Manifest }): Promise<ChunksReply> {
    const path = target.path ?? `${packagePath(target.name)}/image`;
    const { manifest } = range;
    if (manifest === undefined) {
      const response = await this.#send(path);
      return response.status === 200 ? { status: 200, body: {}, bytes: await bytesOf(response) } : refusal(response);
    }
    const bytes = {
      start: range.first * manifest.chunkSize,
      end: Math.min(manifest.size, range.last * manifest.chunkSize),
    };
    const response = await this.#send(path, { headers: rangeRequestHeaders(manifest, bytes) });
    // docs/server.md: the image is served with Range and If-Range on the Merkle root, so a range comes alone
    if (response.status !== 206) {
      await response.body?.cancel();
      throw new CheckFailure(
        `GET ${path} with Range bytes=${bytes.start}-${bytes.end - 1} and If-Range on the root answered ${response.status}, not 206`,
      );
    }
    return { status: 206, body: {}, bytes: await bytesOf(new Response(readRangeResponse(response, manifest, bytes))) };
  }

  acknowledge(target: Target, body: Record<string, unknown>): Promise<WireReply> {
    return this.#json('POST', target.path ?? `${packagePath(target.name)}/chunks`, body);
  }

  report(target: Target, body: Record<string, unknown>): Promise<WireReply> {
    return this.#json('POST', target.path ?? `${packagePath(target.name)}/status`, body);
  }

  inventory(packages: readonly { name: string; version: string }[]): Promise<WireReply> {
    return this.#json('POST', 'packages', { packages });
  }

  async close(): Promise<void> {}

  /** A request with the access key, answered once the device's call budget allows (429 waits). */
  async #send(path: string, init: RequestInit = {}): Promise<Response> {
    for (;;) {
      const headers = new Headers(init.headers);
      headers.set('authorization', this.#accessKey);
      // a server that promises more bytes than it sends must not hold the device for minutes
      const signal = AbortSignal.timeout(this.#waitMs);
      let response: Response;
      try {
        response = await fetch(new URL(path, this.#base), { ...init, headers, signal });
      } catch (error) {
        throw new CheckFailure(`${init.method ?? 'GET'} ${path}: ${error instanceof Error ? error.message : error}`);
      }
      if (response.status !== 429) return response;
      await response.body?.cancel();
      await pause(Number(response.headers.get('retry-after') ?? '1') * 1000);
    }
  }

  async #json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<WireReply> {
    const response = await this.#send(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: await jsonOf(response, `${method} ${path}`) };
  }
}

function packagePath(name: string): string {
  return `packages/${encodeURIComponent(name)}`;
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new CheckFailure(`the body of ${response.url} broke off: ${error instanceof Error ? error.message : error}`);
  }
}

async function refusal(response: Response): Promise<ChunksReply> {
  return { status: response.status, body: await jsonOf(response, response.url) };
}

async function jsonOf(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CheckFailure(`${what} answered HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
}
