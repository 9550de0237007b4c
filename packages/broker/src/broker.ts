import { ControlSession } from './_internal/control-session.ts';
import { DeviceSession } from './_internal/device-session.ts';
import { Heartbeat } from './_internal/heartbeat.ts';
import { type BrokerStats, type DeviceInfo, Hub } from './_internal/hub.ts';
import { LocalControl } from './_internal/local-control.ts';
import { type BrokerOptions, type ResolvedOptions, resolveOptions } from './_internal/options.ts';
import type { AcceptRequest, Connection, Session } from './connection.ts';
import type { BrokerControl } from './control.ts';
import { BrokerError, BrokerErrorCode } from './errors.ts';
import { KeyRing } from './keys.ts';
import { CloseCode } from './protocol/close-codes.ts';
import { OutFrame } from './protocol/frame.ts';
import { controlWelcome, deviceWelcome, errorFrame } from './protocol/messages.ts';
import { WireError } from './protocol/wire-errors.ts';

/** Why the broker closes everything: 1001 for a shutdown, 1012 for a restart (002 close-code table). */
export type ShutdownKind = 'shutdown' | 'restart';

/**
 * The machine broker's protocol engine (002, docs/sources.md, the machine broker's control side). It knows
 * nothing of sockets: an adapter hands it each accepted WebSocket as a
 * {@link Connection} and reports frames to the returned {@link Session}.
 */
export class Broker {
  readonly #hub: Hub;
  readonly #deviceKeys: KeyRing;
  readonly #controlKeys: KeyRing;
  readonly #heartbeat: Heartbeat;
  #closed = false;

  constructor(options: BrokerOptions) {
    const resolved = resolveOptions(options);
    this.#hub = new Hub(resolved);
    this.#deviceKeys = new KeyRing(resolved.deviceKeys);
    this.#controlKeys = new KeyRing(resolved.controlKeys);
    this.#heartbeat = new Heartbeat(this.#hub);
    this.#heartbeat.start();
  }

  /** The options in force, defaults filled in. */
  get options(): ResolvedOptions {
    return this.#hub.options;
  }

  /** Counters since start. */
  get stats(): Readonly<BrokerStats> {
    return this.#hub.stats;
  }

  /** Open connections on both endpoints. */
  get connectionCount(): number {
    return this.#hub.peers.size;
  }

  /** Whether {@link shutdown} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Takes an upgraded WebSocket: sends `welcome`, or an `invalid-api-key`
   * error and close 1008 for a bad key (after shutdown: close 1001).
   */
  accept(request: AcceptRequest, conn: Connection): Session {
    const hub = this.#hub;
    if (this.#closed) return closedSession(conn, CloseCode.GoingAway, 'Broker shut down');
    if (!this.#admits(request)) {
      conn.send(OutFrame.json(errorFrame(WireError.InvalidApiKey, hub.timestamp())));
      return closedSession(conn, CloseCode.PolicyViolation, 'Invalid or missing API key');
    }
    if (request.endpoint === 'devices') {
      // the key is kept only for authorizeDevice, which asks about it at register
      const apiKey = hub.options.authorizeDevice === undefined ? undefined : request.apiKey;
      const session = new DeviceSession(hub, conn, apiKey);
      session.deliver(OutFrame.json(deviceWelcome(hub.timestamp())));
      return session;
    }
    const session = new ControlSession(hub, conn, hub.options.random.uuid());
    session.deliver(OutFrame.json(controlWelcome(session.connectionId, hub.timestamp())));
    return session;
  }

  /** Whether a connection's key opens its endpoint; with `authorizeDevice` alone, any non-empty device key does. */
  #admits(request: AcceptRequest): boolean {
    if (request.endpoint === 'control') return this.#controlKeys.accepts(request.apiKey);
    if (this.#deviceKeys.size > 0) return this.#deviceKeys.accepts(request.apiKey);
    return request.apiKey !== undefined && request.apiKey !== '';
  }

  /**
   * A control app in this process (docs/broker.md §In-process control): it
   * subscribes, sends commands and hears devices without a socket, and counts
   * as a control connection everywhere a `/control` one does.
   * Throws {@link BrokerError} `closed` after {@link shutdown}.
   */
  control(): BrokerControl {
    if (this.#closed) throw new BrokerError(BrokerErrorCode.Closed, 'Cannot open a control as the broker is shut down');
    return new LocalControl(this.#hub);
  }

  /** The registered devices, as `list_devices` reports them. */
  devices(): DeviceInfo[] {
    return this.#hub.deviceList();
  }

  /** One heartbeat round now (adapters and tests; the timer calls it every `heartbeatMs`). */
  sweep(): void {
    this.#heartbeat.sweep();
  }

  /**
   * Closes every connection with 1001 (`shutdown`) or 1012 (`restart`) and
   * refuses new ones; state is not kept (002 "Reconnection Strategy").
   */
  shutdown(kind: ShutdownKind = 'shutdown'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#heartbeat.stop();
    const code = kind === 'restart' ? CloseCode.ServiceRestart : CloseCode.GoingAway;
    const reason = kind === 'restart' ? 'Broker restarting' : 'Broker shutting down';
    // control apps first: device_disconnected events to apps that are closing anyway would be noise
    for (const control of [...this.#hub.controls.values()]) control.shut(code, reason);
    for (const peer of [...this.#hub.peers]) peer.shut(code, reason);
  }
}

function closedSession(conn: Connection, code: number, reason: string): Session {
  conn.close(code, reason);
  return { message() {}, pong() {}, closed() {} };
}
