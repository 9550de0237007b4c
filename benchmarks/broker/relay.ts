import WebSocket from 'ws';
import { processCpuMs } from './cpu.ts';

/** A 129-byte device frame (docs/sources.md, Performance baselines: 129-byte frames). */
export const FRAME = (() => {
  const head = '{"type":"message","payload":{"temperature":23.5,"humidity":65,"status":"ok","pad":"';
  const tail = '"}}';
  return head + 'x'.repeat(129 - head.length - tail.length) + tail;
})();

/** An open client of the relay. */
export interface Closable {
  close(): void;
}

/** The one client that publishes FRAME. */
export interface Publisher extends Closable {
  send(): void;
}

/** How one system's clients connect: ours and the bare relay over `ws`, the MQTT brokers with mqtt.js. */
export interface RelayClients {
  /** Connects a subscriber; resolves once it is subscribed and calls `onFrame` for each frame relayed to it. */
  subscriber(onFrame: () => void): Promise<Closable>;
  publisher(): Promise<Publisher>;
}

/** What one relay run measured. */
export interface RelayRun {
  /** Frames delivered per second (published × subscribers). */
  readonly rate: number;
  /** CPU µs per delivered frame in this process (every client) and in the server's. */
  readonly clientCpuUs: number;
  readonly serverCpuUs: number | undefined;
}

const WINDOW = 500;

function opened(url: string, setup: readonly string[], readyAfter: number, onFrame: () => void): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let seen = 0;
  return new Promise((resolve, reject) => {
    ws.on('message', () => {
      if (seen >= readyAfter) return onFrame();
      if (++seen === readyAfter) resolve(ws);
    });
    ws.once('open', () => {
      for (const s of setup) ws.send(s);
      if (readyAfter === 0) resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Bare `ws` clients: ours speaks its wire protocol, the bare relay only needs paths. */
export interface WsTarget {
  readonly publisherUrl: string;
  readonly subscriberUrl: string;
  /** Frames to send on open, then how many frames arrive before the socket is ready. */
  readonly publisherSetup: readonly string[];
  readonly subscriberSetup: readonly string[];
  readonly publisherReadyAfter: number;
  readonly subscriberReadyAfter: number;
}

/** {@link RelayClients} of plain `ws` sockets. */
export function wsClients(target: WsTarget): RelayClients {
  return {
    async subscriber(onFrame) {
      const ws = await opened(target.subscriberUrl, target.subscriberSetup, target.subscriberReadyAfter, onFrame);
      return { close: () => ws.terminate() };
    },
    async publisher() {
      const ws = await opened(target.publisherUrl, target.publisherSetup, target.publisherReadyAfter, () => {});
      return { send: () => ws.send(FRAME), close: () => ws.terminate() };
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const STALL_MS = 15_000;

/**
 * One publisher and `subscribers` subscribers in this process, the server in
 * another (`serverPid`); the publisher keeps at most WINDOW frames ahead of
 * the slowest subscriber. A run that stops delivering for STALL_MS throws
 * (a broker dropping frames would otherwise hang it).
 */
export async function relayRate(
  clients: RelayClients,
  subscribers: number,
  frames: number,
  serverPid: number,
): Promise<RelayRun> {
  const received = new Array<number>(subscribers).fill(0);
  const subs = await Promise.all(received.map((_, i) => clients.subscriber(() => received[i]!++)));
  const pub = await clients.publisher();
  const slowest = (): number => {
    let min = Infinity;
    for (const r of received) if (r < min) min = r;
    return min;
  };
  const run = async (n: number): Promise<void> => {
    const base = slowest();
    let sent = 0;
    let progress = performance.now();
    let last = base;
    while (slowest() - base < n) {
      const done = slowest() - base;
      while (sent < n && sent - done < WINDOW) {
        pub.send();
        sent++;
      }
      await tick();
      const now = performance.now();
      if (slowest() !== last) {
        last = slowest();
        progress = now;
      } else if (now - progress > STALL_MS) {
        throw new Error(`relay stalled: ${sent} sent, the slowest subscriber has ${slowest() - base}`);
      }
    }
  };
  try {
    await run(Math.min(500, frames)); // warm-up
    const cpu0 = process.cpuUsage();
    const server0 = processCpuMs(serverPid);
    const start = performance.now();
    await run(frames);
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const server1 = processCpuMs(serverPid);
    const deliveries = frames * subscribers;
    return {
      rate: (deliveries * 1000) / ms,
      clientCpuUs: (cpu.user + cpu.system) / deliveries,
      serverCpuUs:
        server0 === undefined || server1 === undefined ? undefined : ((server1 - server0) * 1000) / deliveries,
    };
  } finally {
    for (const c of [pub, ...subs]) c.close();
  }
}
