import { expect } from 'vitest';
import { encodeBase64 } from '../src/packages/base64.ts';
import type { TestServer } from './harness.ts';

/** The account admin of the package tests. */
export const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };

/** `size` bytes that differ per `seed` (xorshift), so two images never agree by accident. */
export function imageOf(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = (seed * 2_654_435_761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

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
