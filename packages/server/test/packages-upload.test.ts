import { ed25519Verifier, encodeImage, manifestId, openSignedManifest } from '@fleetkit/chunked';
import { InThreadPool, type RunOptions, type TaskRef } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagesOf } from '../src/packages/service.ts';
import { openServer } from '../src/server.ts';
import { ADMIN_PASSWORD, type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, sameBytes, storedImage, toBase64 } from './packages-fixture.ts';

/** A pool that runs tasks in-thread and counts them: the encoder hashed there when the count grew. */
class CountingPool extends InThreadPool {
  runs = 0;
  override run<I, O>(task: TaskRef<I, O>, input: I, options?: RunOptions): Promise<O> {
    this.runs++;
    return super.run(task, input, options);
  }
}

describe('package upload (manual §5.6): inline and streamed, chunked, hashed and signed', () => {
  let t: TestServer;
  const pool = new CountingPool();
  const LIMIT = 12 << 20;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const put = (
    name: string,
    body: BodyInit,
    options: { query?: string; login?: string; password?: string; length?: boolean } = {},
  ) =>
    fetch(new URL(`exodm/packages/${name}${options.query ?? ''}`, t.url), {
      method: 'PUT',
      headers: { authorization: basicAuthHeader(options.login ?? ACME.login, options.password ?? ACME.password) },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  const rows = async (table: string) =>
    (await t.server.context.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE account = 'acme'`))[0]!.n;

  beforeAll(async () => {
    t = await startServer({ packages: { maxImageBytes: LIMIT, chunkSize: 4096 }, workerPool: pool });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await acme('exodm:create-user', { uname: 'viewer', password: 'viewer-password' });
    await acme('exodm:add-user-to-role', { role: 'view', uname: 'viewer' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a package from an inline base64 image: its chunks, Merkle root and signed manifest', async () => {
    const image = imageOf(10_000, 1);
    const reply = await acme('exodm:create-package', {
      'package-name': 'inline-1.0',
      version: '1.0',
      image: toBase64(image),
    });
    const expected = await encodeImage(image, { name: 'inline-1.0', version: '1.0', sequence: 1, chunkSize: 4096 });
    expect(reply.result).toMatchObject({
      result: 'ok',
      'package-name': 'inline-1.0',
      version: '1.0',
      size: 10_000,
      chunks: 3,
      'chunk-size': 4096,
      root: manifestId(expected),
    });
    expect(sameBytes(await storedImage(t, 'acme', 'inline-1.0'), image)).toBe(true);
    const [stored] = await t.server.context.db.query<{ manifest: Uint8Array }>(
      "SELECT manifest FROM srv_packages WHERE account = 'acme' AND name = 'inline-1.0'",
    );
    const publicKey = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(packagesOf(t.server.context).signing.publicKey),
      'Ed25519',
      false,
      ['verify'],
    );
    const opened = await openSignedManifest(new Uint8Array(stored!.manifest), ed25519Verifier(publicKey));
    expect(manifestId(opened)).toBe(manifestId(expected));
    expect((await acme('exodm:list-packages', { n: 10 })).result?.packages).toEqual([
      expect.objectContaining({ 'package-name': 'inline-1.0', size: 10_000 }),
    ]);
  });

  it('streams a large image to PUT /exodm/packages/{name}, hashed on the worker pool', async () => {
    const image = imageOf(9 << 20, 2);
    const before = pool.runs;
    let sent = 0;
    // pieces of 64 KiB without a content-length: the server reads it as it comes
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= image.length) return controller.close();
        controller.enqueue(image.slice(sent, sent + 65_536));
        sent += 65_536;
      },
    });
    const response = await put('stream-2.0', body, { query: '?version=2.0&prerequisite-packages=inline-1.0' });
    expect(response.status).toBe(201);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({
      result: 'ok',
      size: image.length,
      chunks: (9 << 20) / 4096,
      'prerequisite-packages': ['inline-1.0'],
    });
    expect(pool.runs).toBeGreaterThan(before);
    expect(sameBytes(await storedImage(t, 'acme', 'stream-2.0'), image)).toBe(true);
  });

  it('refuses a truncated or foreign base64 image with -32602 at image, storing nothing', async () => {
    const text = toBase64(imageOf(1000, 3));
    const truncated = await acme('exodm:create-package', { 'package-name': 'cut', image: text.slice(0, -3) });
    expect(truncated.error?.code).toBe(-32602);
    expect(JSON.stringify(truncated.error?.data)).toContain('not a multiple of 4');
    expect(JSON.stringify(truncated.error?.data)).toContain('"image"');
    const foreign = await acme('exodm:create-package', {
      'package-name': 'cut',
      image: `${text.slice(0, 8)}*${text.slice(9)}`,
    });
    expect(foreign.error?.code).toBe(-32602);
    expect(JSON.stringify(foreign.error?.data)).toContain('position 8');
    expect(await rows('srv_packages')).toBe(2);
    expect((await acme('exodm:list-packages', { n: 10 })).result?.packages).toHaveLength(2);
  });

  it('refuses an image over maxImageBytes, inline or streamed, and stores nothing of it', async () => {
    const chunksBefore = await rows('srv_package_chunks');
    const declared = await put('huge', new Uint8Array(LIMIT + 1));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      result: 'validation-failed',
      reason: expect.stringContaining(`${LIMIT}`),
    });
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > LIMIT + (1 << 20)) return controller.close();
        controller.enqueue(new Uint8Array(1 << 20).fill(sent & 0xff));
        sent += 1 << 20;
      },
    });
    const streamed = await put('huge', endless);
    expect(streamed.status).toBe(413);
    expect(await rows('srv_package_chunks')).toBe(chunksBefore);
    expect(await rows('srv_packages')).toBe(2);
  });

  it('refuses a dependency cycle with its path, storing nothing', async () => {
    expect(
      (
        await acme('exodm:create-package', {
          'package-name': 'a',
          'prerequisite-packages': ['b'],
          image: toBase64(imageOf(100, 4)),
        })
      ).result,
    ).toMatchObject({ result: 'ok' });
    const cycle = await acme('exodm:create-package', {
      'package-name': 'b',
      'prerequisite-packages': ['a'],
      image: toBase64(imageOf(100, 5)),
    });
    expect(cycle.result).toEqual({
      result: 'validation-failed',
      reason: 'prerequisite-packages: dependency cycle: b → a → b',
    });
    const self = await acme('exodm:create-package', {
      'package-name': 'c',
      dependencies: [{ 'package-name': 'c' }],
      image: toBase64(imageOf(100, 6)),
    });
    expect(self.result?.reason).toBe('prerequisite-packages: dependency cycle: c → c');
    expect((await acme('exodm:list-packages', { n: 10 })).result?.packages).toHaveLength(3);
  });

  it('keeps packages immutable: a second upload of a name is object-exists and changes nothing', async () => {
    const again = await acme('exodm:create-package', { 'package-name': 'inline-1.0', image: toBase64(imageOf(50, 7)) });
    expect(again.result).toMatchObject({ result: 'object-exists' });
    const streamed = await put('inline-1.0', imageOf(50, 7));
    expect(streamed.status).toBe(409);
    expect(sameBytes(await storedImage(t, 'acme', 'inline-1.0'), imageOf(10_000, 1))).toBe(true);
  });

  it('gives the upload endpoint create-package access control: 401 without a login, 403 for a viewer', async () => {
    const anonymous = await fetch(new URL('exodm/packages/anon', t.url), { method: 'PUT', body: imageOf(10, 8) });
    expect(anonymous.status).toBe(401);
    const viewer = await put('viewed', imageOf(10, 8), { login: 'viewer', password: 'viewer-password' });
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toEqual({ result: 'permission-denied' });
    const bad = await put('bad-params', imageOf(10, 8), { query: '?chunk-size=banana' });
    expect(bad.status).toBe(400);
    expect(await rows('srv_packages')).toBe(3);
  });

  it('checks the module and container a package names', async () => {
    const missing = await acme('exodm:create-package', {
      'package-name': 'm',
      'yang-specification': 'nope',
      image: toBase64(imageOf(10, 9)),
    });
    expect(missing.result).toMatchObject({ result: 'object-not-found' });
    expect((await acme('exodm:create-package', { 'package-name': 'm' })).result).toMatchObject({
      result: 'missing-option',
    });
  });

  it('takes over the name of an upload abandoned longer than abandonedUploadMs, never one still writing', async () => {
    const { db } = t.server.context;
    const reserve = async (name: string, updatedAt: number) => {
      await db.run(
        `INSERT INTO srv_packages (account, name, state, upload_token, version, sequence, size, chunk_size, prerequisites,
           upgrade_from, created_at, updated_at) VALUES ('acme', $1, 'uploading', 'dead-process', '1', 1, 0, 4096, '[]', '[]', $2, $2)`,
        [name, updatedAt],
      );
      await db.run("INSERT INTO srv_package_chunks (account, package, idx, bytes) VALUES ('acme', $1, 0, $2)", [
        name,
        new Uint8Array([1, 2, 3]),
      ]);
    };
    await reserve('abandoned', Date.now() - 3_600_000);
    await reserve('in-flight', Date.now());
    const image = imageOf(5000, 10);
    expect(
      (await acme('exodm:create-package', { 'package-name': 'abandoned', image: toBase64(image) })).result,
    ).toMatchObject({
      result: 'ok',
      size: 5000,
    });
    expect(sameBytes(await storedImage(t, 'acme', 'abandoned'), image)).toBe(true);
    expect(
      (await acme('exodm:create-package', { 'package-name': 'in-flight', image: toBase64(image) })).result,
    ).toMatchObject({
      result: 'object-exists',
    });
    expect(
      ((await acme('exodm:list-packages', { n: 10 })).result!.packages as { 'package-name': string }[]).map(
        (p) => p['package-name'],
      ),
    ).not.toContain('in-flight');
  });

  it('keeps one signing key per database across restarts', async () => {
    const driver = openSqlite({ path: ':memory:' });
    const first = await openServer({ driver, adminPassword: ADMIN_PASSWORD, insecureTestPasswordIterations: 1_000 });
    const key = packagesOf(first.context).signing.publicKey;
    await first.close();
    const second = await openServer({ driver, adminPassword: ADMIN_PASSWORD, insecureTestPasswordIterations: 1_000 });
    expect(packagesOf(second.context).signing.publicKey).toEqual(key);
    expect(key).toHaveLength(32);
    await second.close();
    await driver.close();
  });
});
