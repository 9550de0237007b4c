// A small real HTTP proxy in front of the test server, on its own port, that tampers with what it
// forwards when told to: the agent reaches the server only through it, over the network.
import { ed25519Signer, encodeImage, signManifest } from '@fleetkit/chunked';
import { memoryLogger } from '@fleetkit/core';
import { serve } from '@fleetkit/jsonrpc';
import { CHUNK, imageOf } from './package-fixture.ts';
import type { TestServer } from './server-fixture.ts';

/** What the proxy does to the package transfer. */
export interface Tampering {
  /** Serve this key instead of the server's (`GET package-key`). */
  key?: Uint8Array;
  /** Serve these bytes instead of the server's signed manifest. */
  manifest?: Uint8Array;
  /** Flip the last bit of the server's signed manifest. */
  flipManifest?: boolean;
  /** Hold the image request of this number (counted from 1) until the proxy closes; `reached` hears of it. */
  hold?: { readonly request: number; readonly reached: () => void };
  /** Flip a byte of this chunk in image responses, `times` times (then pass it untouched). */
  corrupt?: { readonly index: number; times: number };
}

export interface HostileProxy {
  readonly url: string;
  readonly tampering: Tampering;
  /** Image Range requests that reached the proxy. */
  readonly ranges: string[];
  close(): Promise<void>;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A manifest for `name` `version` signed by a key of the attacker's, and that key. */
export async function forgedManifest(
  name: string,
  version: string,
): Promise<{ manifest: Uint8Array; key: Uint8Array }> {
  const attacker = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
  const evil = await encodeImage(imageOf(6 * CHUNK, 666), { name, version, sequence: 1, chunkSize: CHUNK });
  const manifest = await signManifest(evil, ed25519Signer(attacker.privateKey));
  const key = new Uint8Array(await crypto.subtle.exportKey('raw', attacker.publicKey));
  return { manifest, key };
}

/** Starts the proxy: requests keep its URL, so the server's hub URL sends devices back through it. */
export async function startProxy(t: TestServer): Promise<HostileProxy> {
  const tampering: Tampering = {};
  const ranges: string[] = [];
  let closing!: () => void;
  const closed = new Promise<void>((resolve) => {
    closing = resolve;
  });
  const served = await serve(
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/package-key') && tampering.key !== undefined) {
        return Response.json({ algorithm: 'Ed25519', 'public-key': base64(tampering.key) });
      }
      if (path.endsWith('/manifest') && tampering.manifest !== undefined) {
        return new Response(new Uint8Array(tampering.manifest), {
          headers: { 'content-type': 'application/octet-stream' },
        });
      }
      const range = request.headers.get('range');
      if (path.endsWith('/image') && range !== null) {
        ranges.push(range);
        if (tampering.hold?.request === ranges.length) {
          tampering.hold.reached();
          await closed;
          return new Response(null, { status: 503 });
        }
      }
      const response = await t.server.fetch(request);
      if (path.endsWith('/manifest') && tampering.flipManifest === true && response.ok) {
        const bytes = new Uint8Array(await response.arrayBuffer());
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
        return new Response(bytes, { headers: response.headers });
      }
      const corrupt = tampering.corrupt;
      if (!path.endsWith('/image') || range === null || corrupt === undefined || corrupt.times === 0) return response;
      const start = Number(/bytes=(\d+)-/.exec(range)?.[1]);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const at = corrupt.index * CHUNK + 7 - start;
      if (at >= 0 && at < bytes.length) {
        bytes[at] = bytes[at]! ^ 0xff;
        corrupt.times--;
      }
      return new Response(bytes, { status: response.status, headers: response.headers });
    },
    { logger: memoryLogger() },
  );
  return {
    url: served.url.replace(/\/$/, ''),
    tampering,
    ranges,
    close: () => {
      closing();
      return served.close();
    },
  };
}
