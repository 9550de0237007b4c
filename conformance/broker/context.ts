import { Peer } from './peer.ts';

/** Where the broker under test is and how to get in. */
export interface Target {
  /** Base URL, e.g. `ws://127.0.0.1:8080`; the suite appends `/devices` and `/control`. */
  readonly url: string;
  readonly deviceKey: string;
  readonly controlKey: string;
  /** The broker's frame limit in bytes (docs/broker.md default 65 536). */
  readonly maxMessageBytes?: number;
  /** How long to wait for any one frame or close. Default 5 000 ms. */
  readonly timeoutMs?: number;
}

/** What a check gets: connection helpers whose peers are closed after the check. */
export class CheckContext {
  readonly target: Target;
  /** Unique per check, so the suite can run against a shared broker. */
  readonly prefix: string;
  readonly #peers: Peer[] = [];

  constructor(target: Target, prefix: string) {
    this.target = target;
    this.prefix = prefix;
  }

  /** A deviceId unique to this check. */
  id(name: string): string {
    return `${this.prefix}-${name}`;
  }

  async open(path: string, options: { query?: string; headers?: Record<string, string> } = {}): Promise<Peer> {
    const base = this.target.url.replace(/\/+$/, '');
    const peer = await Peer.open(`${base}${path}${options.query ?? ''}`, {
      ...(options.headers ? { headers: options.headers } : {}),
      timeoutMs: this.target.timeoutMs ?? 5_000,
    });
    this.#peers.push(peer);
    return peer;
  }

  /** A device connection past its welcome. */
  async device(): Promise<Peer> {
    const d = await this.open('/devices', { query: `?apiKey=${encodeURIComponent(this.target.deviceKey)}` });
    await d.expect('welcome');
    return d;
  }

  /** A device registered as `deviceId`. */
  async registered(deviceId: string, metadata?: Record<string, unknown>): Promise<Peer> {
    const d = await this.device();
    d.send({ type: 'register', deviceId, ...(metadata ? { metadata } : {}) });
    await d.expect('success');
    return d;
  }

  /** A control connection past its welcome, subscribed to `deviceIds`. */
  async control(...deviceIds: string[]): Promise<Peer> {
    const c = await this.open('/control', { query: `?apiKey=${encodeURIComponent(this.target.controlKey)}` });
    await c.expect('welcome');
    for (const deviceId of deviceIds) {
      c.send({ type: 'subscribe', deviceId });
      await c.expect('success');
    }
    return c;
  }

  /** Closes every peer this check opened. */
  async dispose(): Promise<void> {
    for (const p of this.#peers) p.ws.terminate();
    await Promise.all(this.#peers.map((p) => p.closed));
  }
}
