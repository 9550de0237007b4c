import {
  type Clock,
  createLogger,
  cryptoRandom,
  type Logger,
  type Random,
  systemClock,
  type TimerHandle,
} from '@fleetkit/core';
import { BrokerError, BrokerErrorCode } from '../errors.ts';
import { RECONNECT_CODES } from '../protocol/close-codes.ts';
import { isDeviceId } from '../protocol/device-id.ts';
import { isJsonObject, type JsonObject } from '../protocol/messages.ts';
import { type BackoffOptions, reconnectDelay } from './backoff.ts';
import { type ClientSocket, globalSocket, type SocketFactory } from './socket.ts';

/** Where a {@link DeviceClient} is in 002's connection lifecycle. */
export type DeviceClientState = 'connecting' | 'registering' | 'ready' | 'waiting' | 'stopped';

/** An `error` frame from the broker. */
export interface BrokerErrorFrame {
  readonly code: string;
  readonly error: string;
}

/** Options of {@link connectDevice}. */
export interface DeviceClientOptions {
  /** The broker's device endpoint, e.g. `ws://broker:8080/devices`. */
  readonly url: string;
  /** Sent as `?apiKey=` (002 Step 1; a browser-style WebSocket cannot set headers). */
  readonly apiKey: string;
  readonly deviceId: string;
  readonly metadata?: JsonObject;
  /** A command from a control app (002 Step 5). */
  readonly onCommand?: (payload: JsonObject, timestamp: string) => void;
  /** Every state change; `waiting` carries the delay and attempt, `stopped` the close code. */
  readonly onStateChange?: (state: DeviceClientState, detail: StateDetail) => void;
  /** Every `error` frame. */
  readonly onError?: (error: BrokerErrorFrame) => void;
  /** Default: the runtime's global `WebSocket`. */
  readonly socket?: SocketFactory;
  readonly backoff?: BackoffOptions;
  /**
   * A connection not registered this long after it was opened is abandoned
   * and retried with backoff (a hung handshake or a broker that never
   * answers). Default 15 000 ms; 0 waits forever.
   */
  readonly registerTimeoutMs?: number;
  /** Default `systemClock`. */
  readonly clock?: Clock;
  /** Default `cryptoRandom` (the jitter). */
  readonly random?: Random;
  /** Default `createLogger()`. */
  readonly logger?: Logger;
}

/** Facts attached to a state change. */
export interface StateDetail {
  readonly code?: number;
  readonly attempt?: number;
  readonly delayMs?: number;
  readonly previousConnection?: boolean;
}

// 002 Step 3: a bad registration will not get better by retrying
const FATAL_REGISTRATION = new Set(['missing-device-id', 'invalid-device-id', 'invalid-metadata']);

/**
 * A device's connection to the broker with 002's reconnect policy: capped
 * exponential backoff with jitter, reset once registered, re-register after
 * every connect, never reconnect after {@link close}.
 */
export class DeviceClient {
  readonly #o: DeviceClientOptions;
  readonly #url: string;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger;
  #socket: ClientSocket | undefined;
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #state: DeviceClientState = 'connecting';
  #attempt = 0;
  #intentional = false;
  #waiters: Array<{ resolve: (previousConnection: boolean) => void; reject: (error: BrokerError) => void }> = [];

  constructor(options: DeviceClientOptions) {
    if (!isDeviceId(options.deviceId)) {
      throw new BrokerError(
        BrokerErrorCode.InvalidOption,
        `Cannot connect device as deviceId must be 1–64 letters, digits, "-" or "_": got ${JSON.stringify(options.deviceId)}`,
        {
          details: { path: 'deviceId', expected: '/^[A-Za-z0-9_-]{1,64}$/', got: options.deviceId },
        },
      );
    }
    let url: URL;
    try {
      url = new URL(options.url);
    } catch (cause) {
      throw new BrokerError(
        BrokerErrorCode.InvalidUrl,
        `Cannot connect device as url is not a URL: got ${JSON.stringify(options.url)}`,
        { cause, details: { path: 'url', got: options.url } },
      );
    }
    url.searchParams.set('apiKey', options.apiKey);
    this.#url = url.href;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? cryptoRandom;
    this.#logger = options.logger ?? createLogger();
  }

  /** Where the client is now. */
  get state(): DeviceClientState {
    return this.#state;
  }

  /** Reconnect attempts since the last successful registration. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Opens the first connection; {@link connectDevice} calls it. */
  start(): this {
    this.#connect();
    return this;
  }

  /**
   * Resolves at the next successful registration (at once if registered) with
   * its `previousConnection`; rejects with `client-stopped` if the client
   * stops first (bad key, replaced, refused registration, `close()`).
   */
  registered(): Promise<boolean> {
    if (this.#state === 'ready') return Promise.resolve(false);
    if (this.#state === 'stopped') return Promise.reject(this.#stoppedError(undefined));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Sends `{type: "message", payload}` (002 Step 4); false when not registered right now. */
  send(payload: JsonObject): boolean {
    if (this.#state !== 'ready' || this.#socket === undefined) return false;
    this.#socket.send(JSON.stringify({ type: 'message', payload }));
    return true;
  }

  /** Closes for good with 1000 (002 "Graceful Shutdown"); no reconnect follows. */
  close(reason = 'Shutting down'): void {
    this.#intentional = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#clearDeadline();
    const socket = this.#socket;
    this.#socket = undefined; // its close event, if any, is no longer ours
    socket?.close(1000, reason);
    if (this.#state !== 'stopped') this.#set('stopped', { code: 1000 });
  }

  #set(state: DeviceClientState, detail: StateDetail = {}): void {
    this.#state = state;
    this.#o.onStateChange?.(state, detail);
    if (state === 'stopped') for (const w of this.#waiters.splice(0)) w.reject(this.#stoppedError(detail.code));
  }

  #stoppedError(code: number | undefined): BrokerError {
    return new BrokerError(
      BrokerErrorCode.ClientStopped,
      `Cannot register device ${this.#o.deviceId} as the client stopped${code === undefined ? '' : ` after close code ${code}`}`,
      {
        details: { deviceId: this.#o.deviceId, closeCode: code },
      },
    );
  }

  #connect(): void {
    this.#timer = undefined;
    this.#set('connecting', { attempt: this.#attempt });
    const socket = (this.#o.socket ?? globalSocket)(this.#url);
    this.#socket = socket;
    const timeout = this.#o.registerTimeoutMs ?? 15_000;
    if (timeout > 0) {
      this.#deadline = this.#clock.setTimeout(() => {
        this.#deadline = undefined;
        this.#logger.warn('broker did not confirm registration in time; retrying', {
          deviceId: this.#o.deviceId,
          timeoutMs: timeout,
        });
        this.#closed(socket, 1006); // as if the network dropped it: back off and retry
        socket.close();
      }, timeout);
    }
    // 002 "Key Points" 1: re-register after every connection
    socket.onopen = () => {
      this.#set('registering');
      socket.send(
        JSON.stringify({
          type: 'register',
          deviceId: this.#o.deviceId,
          ...(this.#o.metadata === undefined ? {} : { metadata: this.#o.metadata }),
        }),
      );
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.#frame(socket, event.data);
    };
    // 002: "Let the close handler trigger reconnection"
    socket.onerror = () => {};
    socket.onclose = (event) => this.#closed(socket, event.code);
  }

  #frame(socket: ClientSocket, text: string): void {
    let m: unknown;
    try {
      m = JSON.parse(text);
    } catch {
      this.#logger.warn('broker sent a frame that is not JSON', { deviceId: this.#o.deviceId });
      return;
    }
    if (!isJsonObject(m)) return;
    if (m.type === 'success' && m.action === 'registered' && this.#state === 'registering') {
      this.#attempt = 0; // 002 "Key Points" 5: reset on success
      this.#clearDeadline();
      const previous = m.previousConnection === true;
      this.#set('ready', { previousConnection: previous });
      for (const w of this.#waiters.splice(0)) w.resolve(previous);
    } else if (m.type === 'message' && isJsonObject(m.payload)) {
      this.#o.onCommand?.(m.payload, typeof m.timestamp === 'string' ? m.timestamp : '');
    } else if (m.type === 'error') {
      const error = { code: String(m.code ?? ''), error: String(m.error ?? '') };
      this.#o.onError?.(error);
      if (this.#state === 'registering' && FATAL_REGISTRATION.has(error.code)) {
        this.#intentional = true;
        socket.close(1000, 'Registration refused');
      }
    }
  }

  #clearDeadline(): void {
    if (this.#deadline !== undefined) this.#clock.clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  #closed(socket: ClientSocket, code: number): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#clearDeadline();
    if (this.#intentional || !RECONNECT_CODES.has(code)) {
      this.#set('stopped', { code });
      return;
    }
    const delayMs = reconnectDelay(this.#attempt, this.#random, this.#o.backoff);
    this.#attempt++;
    this.#set('waiting', { code, attempt: this.#attempt, delayMs });
    this.#timer = this.#clock.setTimeout(() => this.#connect(), delayMs);
  }
}

/** Starts a {@link DeviceClient}: connect, register, and keep reconnecting per 002. */
export function connectDevice(options: DeviceClientOptions): DeviceClient {
  return new DeviceClient(options).start();
}
