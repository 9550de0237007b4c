// The load side of the server suite (this process): a keep-alive HTTP client,
// the backend's callback listener, and lanes that run end-to-end cycles.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One reply: status and parsed JSON body (empty object for an empty body). */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function readAll(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/** One HTTP exchange over keep-alive connections (node:http: the client adds as little as it can). */
export function call(
  method: 'GET' | 'POST',
  url: string,
  options: { readonly headers?: Record<string, string>; readonly body?: unknown } = {},
): Promise<Reply> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        agent,
        headers: {
          ...(text === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
          ...options.headers,
        },
      },
      (res) => {
        readAll(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, body: body === '' ? {} : JSON.parse(body) }),
          reject,
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Throws unless the reply has `status` (the benchmark measures only exchanges that worked). */
export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply;
}

/**
 * The backend's notification URL: answers every callback 204 at once and
 * wakes whoever waits for a transaction's final one (by device and
 * transaction id).
 */
export class CallbackListener {
  readonly #server: Server;
  readonly #waiting = new Map<string, () => void>();
  /** Final callbacks that came before anyone waited for them. */
  readonly #early = new Set<string>();
  /** Every callback received (device-connected, member and final ones). */
  received = 0;
  url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      readAll(req).then(
        (text) => {
          this.received++;
          res.writeHead(204).end();
          const params = (JSON.parse(text) as { params: Record<string, unknown> }).params;
          if (params.final !== true) return;
          const key = `${String(params['device-id'])}#${String(params['transaction-id'])}`;
          const wake = this.#waiting.get(key);
          if (wake === undefined) this.#early.add(key);
          else {
            this.#waiting.delete(key);
            wake();
          }
        },
        () => res.writeHead(400).end(),
      );
    });
    this.#server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/callbacks`;
  }

  /** Resolves when the final callback of `transactionId` at `deviceId` has arrived. */
  final(deviceId: string, transactionId: string): Promise<void> {
    const key = `${deviceId}#${transactionId}`;
    if (this.#early.delete(key)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(key, resolve));
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** One side's end-to-end cycle on one device: RPC → command → done → final callback. */
export type Cycle = (device: number, n: number) => Promise<void>;

/** Cycles per second and the latency of each cycle (ms). */
export interface Measured {
  readonly cycles: number;
  readonly seconds: number;
  readonly latencies: number[];
}

/**
 * Runs `cycle` on `inFlight` lanes for `ms`. Lane i takes the devices i,
 * i + inFlight, i + 2·inFlight… of the pool in turn: a device has one
 * transaction at a time, and each is called rarely enough to stay within the
 * server's per-device rate limit.
 */
export async function lanes(
  cycle: Cycle,
  options: { inFlight: number; ms: number; devices: number },
): Promise<Measured> {
  const latencies: number[] = [];
  const start = performance.now();
  const stop = start + options.ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: options.inFlight }, async (_, lane) => {
      for (let device = lane; performance.now() < stop; device += options.inFlight) {
        if (device >= options.devices) device = lane;
        const began = performance.now();
        await cycle(device, n++);
        latencies.push(performance.now() - began);
      }
    }),
  );
  return { cycles: latencies.length, seconds: (performance.now() - start) / 1000, latencies };
}

/** Sums slices of one side. */
export function merge(slices: readonly Measured[]): Measured {
  return {
    cycles: slices.reduce((sum, s) => sum + s.cycles, 0),
    seconds: slices.reduce((sum, s) => sum + s.seconds, 0),
    latencies: slices.flatMap((s) => s.latencies),
  };
}

/** The `p`-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `420 cycles/s, p50 12.3 ms, p99 40.1 ms`. */
export function describe(m: Measured, unit = 'cycles/s'): string {
  return `${Math.round(m.cycles / m.seconds)} ${unit}, p50 ${percentile(m.latencies, 50).toFixed(1)} ms, p99 ${percentile(m.latencies, 99).toFixed(1)} ms`;
}

/** Runs `work` over `items` with `concurrency` at once. */
export async function each<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i]!);
    }),
  );
}
