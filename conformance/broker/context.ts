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
  /** The broker's ping interval (docs/broker.md default 30 000 ms): the heartbeat checks wait up to a few of them. */
  readonly heartbeatMs?: number;
  /** Shell command that restarts the broker: its connections must close with 1012 (002). */
  readonly restartCommand?: string;
  /** Shell command that stops the broker: its connections must close with 1001 (002). */
  readonly shutdownCommand?: string;
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

  async open(
    path: string,
    options: { query?: string; headers?: Record<string, string>; autoPong?: boolean } = {},
  ): Promise<Peer> {
    const base = this.target.url.replace(/\/+$/, '');
    const peer = await Peer.open(`${base}${path}${options.query ?? ''}`, {
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.autoPong === undefined ? {} : { autoPong: options.autoPong }),
      timeoutMs: this.target.timeoutMs ?? 5_000,
    });
    this.#peers.push(peer);
    return peer;
  }

  /** A device connection past its welcome (`autoPong: false`: one that never answers a ping). */
  async device(options: { autoPong?: boolean } = {}): Promise<Peer> {
    const d = await this.open('/devices', {
      query: `?apiKey=${encodeURIComponent(this.target.deviceKey)}`,
      ...options,
    });
    await d.expect('welcome');
    return d;
  }

  /** A device registered as `deviceId`. */
  async registered(
    deviceId: string,
    metadata?: Record<string, unknown>,
    options: { autoPong?: boolean } = {},
  ): Promise<Peer> {
    const d = await this.device(options);
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

  /** How long to wait for any one frame or close. */
  get timeoutMs(): number {
    return this.target.timeoutMs ?? 5_000;
  }

  /** The broker's ping interval (docs/broker.md default 30 000 ms). */
  get heartbeatMs(): number {
    return this.target.heartbeatMs ?? 30_000;
  }

  /** Closes every peer this check opened. */
  async dispose(): Promise<void> {
    for (const p of this.#peers) p.ws.terminate();
    await Promise.all(this.#peers.map((p) => p.closed));
  }
}
