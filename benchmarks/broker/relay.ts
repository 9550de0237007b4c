import WebSocket from 'ws';

/** How the clients reach one server: ours speaks 002, the bare relay only needs paths. */
export interface RelayTarget {
  readonly publisherUrl: string;
  readonly subscriberUrl: string;
  /** Frames to send on open, then how many frames arrive before the socket is ready. */
  readonly publisherSetup: readonly string[];
  readonly subscriberSetup: readonly string[];
  readonly publisherReadyAfter: number;
  readonly subscriberReadyAfter: number;
}

/** A 129-byte device frame (reference/peers.md §5 used 129-byte frames). */
export const FRAME = (() => {
  const head = '{"type":"message","payload":{"temperature":23.5,"humidity":65,"status":"ok","pad":"';
  const tail = '"}}';
  return head + 'x'.repeat(129 - head.length - tail.length) + tail;
})();

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

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * One publisher and `subscribers` subscribers in this process, the server in
 * another; the publisher keeps at most WINDOW frames ahead of the slowest
 * subscriber. Returns frames delivered per second (published × subscribers).
 */
export async function relayRate(target: RelayTarget, subscribers: number, frames: number): Promise<number> {
  const received = new Array<number>(subscribers).fill(0);
  const subs = await Promise.all(
    received.map((_, i) =>
      opened(target.subscriberUrl, target.subscriberSetup, target.subscriberReadyAfter, () => received[i]!++),
    ),
  );
  const pub = await opened(target.publisherUrl, target.publisherSetup, target.publisherReadyAfter, () => {});
  const slowest = (): number => {
    let min = Infinity;
    for (const r of received) if (r < min) min = r;
    return min;
  };
  const run = async (n: number): Promise<void> => {
    const base = slowest();
    let sent = 0;
    while (sent < n) {
      const done = slowest() - base;
      while (sent < n && sent - done < WINDOW) {
        pub.send(FRAME);
        sent++;
      }
      await tick();
    }
    while (slowest() - base < n) await tick();
  };
  await run(Math.min(500, frames)); // warm-up
  const start = performance.now();
  await run(frames);
  const rate = (frames * subscribers * 1000) / (performance.now() - start);
  for (const ws of [pub, ...subs]) ws.terminate();
  return rate;
}
