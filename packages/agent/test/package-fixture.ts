import { seededImage } from '@fleetkit/chunked/testing';
// Packages on the test server, and the views of a transfer a test checks: the Range requests an agent
// made and the chunks the server had acknowledged when each was made.
import { expect } from 'vitest';
import type { FetchFunction, InstalledPackage, PackageImage, PackageInstaller } from '../src/index.ts';
import type { TestServer } from './server-fixture.ts';

/** The chunk size of the package tests' server. */
export const CHUNK = 1024;

/** `size` bytes that differ per `seed`: chunked's seeded test image. */
export const imageOf = seededImage;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Calls as acme's admin and insists on `ok`. */
export async function must(t: TestServer, method: string, params: Record<string, unknown>) {
  const reply = await t.acme(method, params);
  expect(reply.result?.result, `${method} ${JSON.stringify(reply)}`).toBe('ok');
  return reply.result!;
}

/** Uploads a package and allows it on device types `meter` (HTTP) and `sensor` (broker). */
export async function createPackage(
  t: TestServer,
  name: string,
  image: Uint8Array,
  more: Record<string, unknown> = {},
): Promise<void> {
  await must(t, 'exodm:create-package', { 'package-name': name, image: base64(image), ...more });
  for (const type of ['meter', 'sensor']) {
    await must(t, 'exodm:add-package-to-device-type', { 'package-name': [name], 'device-type': type });
  }
}

/** The server's package status of a device (get-package-status). */
export async function packageStatus(t: TestServer, name: string, deviceId: string) {
  return must(t, 'exodm:get-package-status', { 'package-name': name, 'device-id': deviceId });
}

/** An installer that records what it installed, with the bytes it was handed. */
export function recordingInstaller(
  installed: { name: string; bytes: Uint8Array }[],
  outcome: (image: PackageImage) => { reboot?: boolean } | undefined = () => undefined,
): PackageInstaller {
  return {
    install: async (image) => {
      installed.push({ name: image.name, bytes: await image.bytes() });
      return outcome(image);
    },
  };
}

/** A fixed inventory device code reports. */
export function inventoryOf(packages: Record<string, string>): () => InstalledPackage[] {
  return () => Object.entries(packages).map(([name, version]) => ({ name, version }));
}

/** One Range request: its chunks, and the chunks the server had acknowledged for the package before it. */
export interface RangeRequest {
  readonly package: string;
  readonly first: number;
  readonly end: number;
  readonly acknowledged: ReadonlySet<number>;
}

/**
 * A fetch in front of the server's that logs every Range request of an
 * image beside what the server had acknowledged by then (read from the
 * bitmaps of the acknowledgements it answered with 200).
 */
export function rangeLog(fetchFunction: FetchFunction): FetchFunction & { readonly requests: RangeRequest[] } {
  const requests: RangeRequest[] = [];
  const acknowledged = new Map<string, Set<number>>();
  const logged: FetchFunction = async (input, init) => {
    const image = /\/packages\/([^/]+)\/image$/.exec(input);
    const chunks = /\/packages\/([^/]+)\/chunks$/.exec(input);
    if (image !== null) {
      const range = /bytes=(\d+)-(\d+)/.exec(new Headers(init.headers).get('range') ?? '');
      if (range !== null) {
        const name = decodeURIComponent(image[1]!);
        requests.push({
          package: name,
          first: Number(range[1]) / CHUNK,
          end: Math.ceil((Number(range[2]) + 1) / CHUNK),
          acknowledged: new Set(acknowledged.get(name)),
        });
      }
    }
    const response = await fetchFunction(input, init);
    if (chunks !== null && response.ok) {
      const name = decodeURIComponent(chunks[1]!);
      const bitmap = atob((JSON.parse(String(init.body)) as { bitmap: string }).bitmap);
      const set = acknowledged.get(name) ?? new Set<number>();
      for (let i = 0; i < bitmap.length * 8; i++) if ((bitmap.charCodeAt(i >> 3) >> (i & 7)) & 1) set.add(i);
      acknowledged.set(name, set);
    }
    return response;
  };
  return Object.assign(logged, { requests });
}

/** Throws unless no request asked for a chunk the server had acknowledged before it. */
export function expectNoRefetch(requests: readonly RangeRequest[]): void {
  for (const request of requests) {
    for (let i = request.first; i < request.end; i++) {
      expect(request.acknowledged.has(i), `chunk ${i} of ${request.package} fetched after its ack`).toBe(false);
    }
  }
}
