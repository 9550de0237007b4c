import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternateBest } from '../harness/alternate.ts';
import { type BenchCase, defineSuite } from '../harness/suite.ts';

const MiB = 1 << 20;
/** The upload of the issue: a 256 MiB image through the streaming endpoint. */
const UPLOAD_BYTES = 256 * MiB;
/** The RSS growth the upload may cause (the issue's goal). */
const RSS_GOAL = 64 * MiB;
/** The image the downloaders fetch, and how many fetch it at once. */
const SERVED_BYTES = 16 * MiB;
const DOWNLOADERS = 100;
/** Bytes per range request: what chunked's fetchMissing asks for by default (64 chunks of the default 64 KiB). */
const RANGE_BYTES = 4 * MiB;
const ADMIN_PASSWORD = 'bench-sysadm-password';
const ACME = { user: 'acme-admin', password: 'bench-acme-password' };
const PROVISIONING_KEY = 'bench-provisioning-key-0001';

/** `npm run bench -- packages --time MS`: below 2000 ms each side runs once, else twice. */
function rounds(): number {
  const at = process.argv.findIndex((arg) => arg === '--time' || arg.startsWith('--time='));
  if (at < 0) return 2;
  const text = process.argv[at]!.includes('=') ? process.argv[at]!.split('=')[1] : process.argv[at + 1];
  return Number(text) < 2000 ? 1 : 2;
}

interface Child {
  readonly url: string;
  ask<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

/** Forks a child of this suite and waits for the port it listens on. */
function start(script: string, args: readonly string[]): Promise<Child> {
  const child: ChildProcess = fork(new URL(script, import.meta.url), [...args], {
    execArgv: ['--conditions=source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let asked = 0;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`${script} exited before it listened`)));
    child.once('message', (m) => {
      resolve({
        url: `http://127.0.0.1:${(m as { port: number }).port}/`,
        ask<T>(type: string) {
          const id = ++asked;
          return new Promise<T>((res) => {
            const onMessage = (reply: unknown): void => {
              const r = reply as { id?: number; value: T };
              if (r.id !== id) return;
              child.off('message', onMessage);
              res(r.value);
            };
            child.on('message', onMessage);
            child.send({ id, type });
          });
        },
        async stop() {
          child.kill('SIGTERM');
          const cut = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(cut);
        },
      });
    });
  });
}

const basic = (login: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`;

async function rpc(url: string, method: string, params: Record<string, unknown>, login = ACME): Promise<void> {
  const response = await fetch(new URL('exodm/rpc', url), {
    method: 'POST',
    headers: { authorization: basic(login), 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: { result?: string }; error?: unknown };
  if (body.result?.result !== 'ok') throw new Error(`${method}: ${JSON.stringify(body)}`);
}

/** A deterministic image of `size` bytes, one MiB of random bytes repeated with the MiB's number stamped in. */
function imagePieces(size: number): () => Generator<Buffer> {
  const block = randomBytes(MiB);
  return function* () {
    for (let at = 0; at < size; at += MiB) {
      const piece = Buffer.from(block.subarray(0, Math.min(MiB, size - at)));
      piece.writeUInt32BE(at / MiB, 0);
      yield piece;
    }
  };
}

/** PUTs `size` bytes to `url` with a content-length, honouring backpressure; resolves with the status. */
function put(url: string, size: number, pieces: () => Generator<Buffer>, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'PUT',
        headers: { 'content-length': size, ...(authorization === undefined ? {} : { authorization }) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    void (async () => {
      for (const piece of pieces()) {
        if (!req.write(piece)) await new Promise((drained) => req.once('drain', drained));
      }
      req.end();
    })();
  });
}

/** Downloads `size` bytes of `url` in ranges of RANGE_BYTES; returns the bytes received. */
async function download(url: string, size: number, headers: Record<string, string>): Promise<number> {
  let received = 0;
  for (let at = 0; at < size; at += RANGE_BYTES) {
    const end = Math.min(size, at + RANGE_BYTES) - 1;
    const response = await fetch(url, { headers: { ...headers, range: `bytes=${at}-${end}` } });
    if (response.status !== 206) throw new Error(`${url}: HTTP ${response.status}`);
    for await (const piece of response.body!) received += piece.length;
  }
  return received;
}

let dir = '';
let ours: Child | undefined;
let peer: Child | undefined;
let uploads = 0;
let worstGrowth = 0;
const devices: { id: string; key: string }[] = [];

/** One upload of the 256 MiB image to our endpoint: MB/s, and the peak RSS growth it caused. */
async function uploadOurs(): Promise<number> {
  const name = `upload-${++uploads}`;
  // the answer also restarts the child's peak from here
  const { rss: baseline } = await ours!.ask<{ rss: number }>('rss');
  const started = performance.now();
  const status = await put(
    new URL(`exodm/packages/${name}`, ours!.url).toString(),
    UPLOAD_BYTES,
    imagePieces(UPLOAD_BYTES),
    basic(ACME),
  );
  const seconds = (performance.now() - started) / 1000;
  if (status !== 201) throw new Error(`upload answered ${status}`);
  const { peak } = await ours!.ask<{ peak: number }>('rss');
  worstGrowth = Math.max(worstGrowth, peak - baseline);
  console.log(
    `  upload ${uploads}: ${(UPLOAD_BYTES / 1e6 / seconds).toFixed(0)} MB/s, peak RSS growth ${((peak - baseline) / MiB).toFixed(1)} MiB`,
  );
  return UPLOAD_BYTES / 1e6 / seconds;
}

async function uploadPeer(): Promise<number> {
  const started = performance.now();
  const status = await put(new URL(`upload-${uploads}`, peer!.url).toString(), UPLOAD_BYTES, imagePieces(UPLOAD_BYTES));
  if (status !== 201) throw new Error(`peer upload answered ${status}`);
  return UPLOAD_BYTES / 1e6 / ((performance.now() - started) / 1000);
}

/** 100 devices each fetching the whole image at once: MB/s over all of them. */
async function serve(urlOf: (index: number) => string, headersOf: (index: number) => Record<string, string>) {
  const started = performance.now();
  const bytes = await Promise.all(
    Array.from({ length: DOWNLOADERS }, (_, i) => download(urlOf(i), SERVED_BYTES, headersOf(i))),
  );
  const total = bytes.reduce((n, b) => n + b, 0);
  if (total !== DOWNLOADERS * SERVED_BYTES) throw new Error(`received ${total} bytes`);
  return total / 1e6 / ((performance.now() - started) / 1000);
}

export default defineSuite({
  name: 'packages',
  description:
    'Package images (manual §5.6, §5.7): a 256 MiB upload streamed through PUT /exodm/packages/{name} (chunked, hashed on 2 pool threads, stored in SQLite, signed) beside a bare node:http PUT to a file with SHA-256, and its peak RSS growth; 100 devices fetching a 16 MiB image in 4 MiB ranges (as fetchMissing asks by default) beside a bare node:http static file handler serving the same bytes.',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'fleetkit-bench-packages-'));
    ours = await start('./server.ts', ['--sqlite', join(dir, 'server.db'), '--admin-password', ADMIN_PASSWORD]);
    peer = await start('./static.ts', ['--dir', dir]);
    const sysadm = { user: 'sysadm', password: ADMIN_PASSWORD };
    await rpc(ours.url, 'exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password }, sysadm);
    await rpc(ours.url, 'exodm:create-device-type', {
      name: 'meter',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
    const served = imagePieces(SERVED_BYTES);
    const status = await put(
      new URL('exodm/packages/served-1.0', ours.url).toString(),
      SERVED_BYTES,
      served,
      basic(ACME),
    );
    if (status !== 201) throw new Error(`served image upload answered ${status}`);
    writeFileSync(join(dir, 'served-1.0'), Buffer.concat([...served()]));
    await rpc(ours.url, 'exodm:add-package-to-device-type', { 'package-name': ['served-1.0'], 'device-type': 'meter' });
    for (let i = 0; i < DOWNLOADERS; i++) {
      const response = await fetch(new URL('v1/devices', ours.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account: 'acme', device_id: `dl-${i}`, provisioning_key: PROVISIONING_KEY }),
      });
      const body = (await response.json()) as { id: string; access_key: string };
      devices.push({ id: body.id, key: body.access_key });
    }
    return undefined;
  },
  cases: (): BenchCase[] => [
    {
      name: 'upload + encode of a 256 MiB image, streamed (MB/s)',
      peer: 'bare node:http PUT to a file with SHA-256',
      measure: () => alternateBest({ warmups: 0, rounds: rounds() }, uploadOurs, uploadPeer),
    },
    {
      name: 'peak RSS growth during that upload (image MiB per MiB of growth)',
      peer: '256 MiB image with 64 MiB of growth',
      reference: 'goal',
      goal: 1,
      measure: async () => ({
        ours_hz: UPLOAD_BYTES / Math.max(worstGrowth, 1),
        peer_hz: UPLOAD_BYTES / RSS_GOAL,
      }),
    },
    {
      name: `serving chunks to ${DOWNLOADERS} concurrent downloaders (MB/s)`,
      peer: 'bare node:http static file handler, same ranges',
      goal: 0.8,
      measure: () =>
        alternateBest(
          { warmups: 1, rounds: rounds() },
          () =>
            serve(
              (i) => new URL(`v1/devices/${devices[i]!.id}/packages/served-1.0/image`, ours!.url).toString(),
              (i) => ({ authorization: devices[i]!.key }),
            ),
          () =>
            serve(
              () => new URL('served-1.0', peer!.url).toString(),
              () => ({}),
            ),
        ),
    },
  ],
  async teardown() {
    await ours?.stop();
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
});
