import WebSocket from 'ws';
import { CheckFailure } from '../runner/check.ts';

export { CheckFailure } from '../runner/check.ts';

/** A JSON frame as received. */
export type Frame = Record<string, unknown>;

/** How a connection ended. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/**
 * One WebSocket client of the broker under test: frames queue up in arrival
 * order and `next()` takes them one by one, so every check reads the
 * conversation exactly as 002 lays it out.
 */
export class Peer {
  readonly ws: WebSocket;
  readonly #frames: Frame[] = [];
  #waiter: (() => void) | undefined;
  readonly closed: Promise<Closed>;
  readonly timeoutMs: number;
  /** Pings received from the broker (the heartbeat of docs/broker.md). */
  pings = 0;

  private constructor(ws: WebSocket, timeoutMs: number) {
    this.ws = ws;
    this.timeoutMs = timeoutMs;
    ws.on('message', (data: Buffer) => {
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString()) as Frame;
      } catch {
        frame = { __notJson: data.toString() };
      }
      this.#frames.push(frame);
      this.#waiter?.();
    });
    ws.on('ping', () => {
      this.pings++;
      this.#waiter?.();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens `url`; rejects with the HTTP status if the upgrade is refused. */
  static open(
    url: string,
    options: { headers?: Record<string, string>; timeoutMs?: number; autoPong?: boolean } = {},
  ): Promise<Peer> {
    const timeoutMs = options.timeoutMs ?? 5_000;
    const ws = new WebSocket(url, {
      headers: options.headers ?? {},
      handshakeTimeout: timeoutMs,
      // a peer that does not answer pings plays a dead device
      autoPong: options.autoPong ?? true,
    });
    const peer = new Peer(ws, timeoutMs);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(peer));
      ws.once('unexpected-response', (_req, res) => {
        reject(new CheckFailure(`upgrade refused with HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', (e) => reject(new CheckFailure(`cannot connect to ${url}: ${e.message}`)));
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The next frame; fails after the timeout (or `ms`) or if the connection closes first. */
  async next(what = 'a frame', ms = this.timeoutMs): Promise<Frame> {
    const deadline = Date.now() + ms;
    while (this.#frames.length === 0) {
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new CheckFailure(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new CheckFailure(`no ${what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.#frames.shift()!;
  }

  /** The next frame, which must have `type`. */
  async expect(type: string, ms = this.timeoutMs): Promise<Frame> {
    const frame = await this.next(`a "${type}" frame`, ms);
    if (frame.type !== type) throw new CheckFailure(`expected a "${type}" frame, got ${JSON.stringify(frame)}`);
    return frame;
  }

  /** Waits until the broker pinged this connection, failing after `ms`. */
  async ping(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.pings === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new CheckFailure(`no ping within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  /** Waits for the close, failing after `ms` (default the peer's timeout). */
  async closedWithin(ms: number): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckFailure(`connection not closed within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Frames received and not taken yet. */
  pending(): readonly Frame[] {
    return this.#frames;
  }

  /** Waits for the close, failing after the timeout. */
  async closeCode(): Promise<number> {
    return (await this.closedWithin(this.timeoutMs)).code;
  }

  close(): void {
    this.ws.close(1000);
  }
}
