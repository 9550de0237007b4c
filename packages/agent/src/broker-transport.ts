import {
  type BackoffOptions,
  BrokerError,
  connectDevice,
  type DeviceClient,
  isJsonObject,
  type JsonObject,
  type SocketFactory,
} from '@fleetkit/broker';
import { type Clock, createLogger, cryptoRandom, type Logger, type Random, systemClock } from '@fleetkit/core';
import { untilAborted } from './_internal/abort.ts';
import { BrokerInbox, parseDeliveryId, workOf } from './_internal/broker-inbox.ts';
import { BrokerRequests } from './_internal/broker-requests.ts';
import { BrokerWaiters } from './_internal/broker-waiters.ts';
import type { FetchFunction } from './_internal/http-call.ts';
import { BrokerPackageChannel } from './broker-packages.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import { registerOverHttp } from './http-transport.ts';
import type { PackageChannel, Session, SessionHooks, Transport } from './transport.ts';
import type {
  AuthData,
  Command,
  CommandUpdate,
  ConfigDocument,
  ConfigReport,
  License,
  LicenseState,
  Pending,
  TelemetryReport,
} from './types.ts';

/** Options of {@link brokerTransport}. */
export interface BrokerTransportOptions {
  /** The server's provisioning URL: registration is HTTP (`POST <url>/v1/devices`). */
  readonly url: string;
  /** The broker's device endpoint. Default: the hub URL with ws(s) and `/devices` (the server's own broker). */
  readonly brokerUrl?: string;
  /** Default: the runtime's `fetch` (registration). */
  readonly fetch?: FetchFunction;
  /** Default: the runtime's `WebSocket`. */
  readonly socket?: SocketFactory;
  /** The reconnect schedule. Default 002's: 1 s doubling to 30 s, ±20 %. */
  readonly backoff?: BackoffOptions;
  /** How long an ack or an RPC waits for the server's answer before it counts as lost. Default 30 000 ms. */
  readonly replyTimeoutMs?: number;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
}

/** The broker device endpoint beside a hub URL: `http://h:p` → `ws://h:p/devices`. */
export function brokerUrlOf(hubUrl: string): string {
  return `${hubUrl.replace(/^http/i, 'ws').replace(/\/+$/, '')}/devices`;
}

const ACK_STATUS = {
  in_progress: 'progress',
  done: 'complete',
  failed: 'device-error',
  cancelled: 'cancelled',
} as const;

/**
 * The device API through the server's broker plugin (002; docs/server.md,
 * broker messages): registration over HTTP, then one WebSocket connection
 * per device with the broker client's reconnect policy. Work is pushed, so
 * the agent hears of it at once; acks wait for the server's `ack-result`.
 * Telemetry has no channel here (the plugin takes acks and RPCs only): a
 * beat looks at the work received. A refused connection (close 1008: a
 * deleted device or a replaced key) is `auth-lost`.
 */
export function brokerTransport(options: BrokerTransportOptions): Transport {
  const fetchFunction: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    register: (registration, signal) => registerOverHttp(fetchFunction, options.url, registration, signal),
    open: (auth, hooks) => new BrokerSession(auth, hooks, options),
  };
}

class BrokerSession implements Session {
  readonly #auth: AuthData;
  readonly #hooks: SessionHooks;
  readonly #options: BrokerTransportOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #inbox = new BrokerInbox();
  readonly #waiters: BrokerWaiters;
  /** Package requests, made on the first one (an idle device holds none). */
  #requests: BrokerRequests | undefined;
  #client: DeviceClient | undefined;
  /** The close code the client stopped with, until a new client replaces it. */
  #stoppedWith: number | undefined;
  #rpcId = 0;
  #closed = false;

  constructor(auth: AuthData, hooks: SessionHooks, options: BrokerTransportOptions) {
    this.#auth = auth;
    this.#hooks = hooks;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? createLogger();
    this.#waiters = new BrokerWaiters(this.#clock, options.replyTimeoutMs ?? 30_000);
    this.#connect();
  }

  #connect(): DeviceClient {
    this.#stoppedWith = undefined;
    const client = connectDevice({
      url: this.#options.brokerUrl ?? brokerUrlOf(this.#auth.hubUrl),
      apiKey: this.#auth.accessKey,
      deviceId: this.#auth.id,
      clock: this.#clock,
      random: this.#options.random ?? cryptoRandom,
      logger: this.#logger,
      ...(this.#options.socket === undefined ? {} : { socket: this.#options.socket }),
      ...(this.#options.backoff === undefined ? {} : { backoff: this.#options.backoff }),
      onCommand: (payload) => this.#message(payload),
      onStateChange: (state, detail) => {
        if (state === 'stopped' && this.#client === client) this.#stoppedWith = detail.code;
        // answers to requests of a lost connection never come
        if (state !== 'ready') {
          this.#requests?.failAll(new AgentError(AgentErrorCode.Unavailable, 'The broker connection was lost'));
        }
      },
    });
    this.#client = client;
    return client;
  }

  /** Waits until the connection is registered; a refused one is `auth-lost`, another stop is retried with a new client. */
  async #ready(signal: AbortSignal): Promise<DeviceClient> {
    if (this.#closed) throw new AgentError(AgentErrorCode.NotRunning, 'The broker session is closed');
    const client = this.#stoppedWith === undefined && this.#client !== undefined ? this.#client : this.#reconnect();
    try {
      await untilAborted(client.registered(), signal);
      return client;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!(error instanceof BrokerError)) throw error;
      const closeCode = error.details?.closeCode;
      if (closeCode === 1008) {
        throw new AgentError(AgentErrorCode.AuthLost, 'The broker refused the device (1008)', {
          cause: error,
          details: { status: 401, closeCode },
        });
      }
      throw new AgentError(AgentErrorCode.Unavailable, `The broker connection stopped (${String(closeCode)})`, {
        cause: error,
        details: { closeCode },
      });
    }
  }

  #reconnect(): DeviceClient {
    if (this.#stoppedWith === 1008) {
      // keep refusing until the agent registers again: a new client would be refused the same way
      return this.#client!;
    }
    this.#client?.close();
    return this.#connect();
  }

  #message(payload: JsonObject): void {
    switch (payload.type) {
      case 'transaction': {
        const work = workOf(payload);
        if (work !== undefined && this.#inbox.add(work)) this.#hooks.onWork();
        return;
      }
      case 'ack-result':
        this.#waiters.settle(`ack:${String(payload.transactionId)}.${String(payload.attempt)}`, payload);
        return;
      case 'rpc-reply':
        this.#waiters.settle(`rpc:${String(payload.id)}`, payload);
        return;
      case 'error':
        this.#logger.warn('broker plugin error', { code: payload.code, message: payload.message });
        // the plugin drops a rate-limited message without naming it: every waiting ack is to be sent again
        if (payload.code === 'rate-limited') {
          const limited = () => new AgentError(AgentErrorCode.RateLimited, 'The server asks the device to slow down');
          this.#waiters.failAll(limited);
          this.#requests?.failAll(limited());
        }
        return;
      default:
        if (this.#requests?.deliver(payload) === true) return;
        this.#logger.warn('unexpected broker message', { type: payload.type });
    }
  }

  /** Sends a message and waits for the answer filed under `key`. */
  async #ask(key: string, message: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    const client = await this.#ready(signal);
    const answer = this.#waiters.wait(key);
    if (!client.send(message)) {
      this.#waiters.fail(key, new AgentError(AgentErrorCode.Unavailable, 'The broker connection is down'));
    }
    try {
      return await untilAborted(answer, signal);
    } finally {
      if (signal.aborted) this.#waiters.fail(key, signal.reason);
    }
  }

  async #ack(
    id: string,
    status: string,
    detail: Readonly<Record<string, unknown>>,
    final: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const delivery = parseDeliveryId(id);
    if (delivery === undefined) {
      throw new AgentError(AgentErrorCode.Refused, `Cannot acknowledge ${id}: not a delivery of this broker`, {
        details: { status: 400, error: 'invalid-ack' },
      });
    }
    const message = {
      type: 'ack',
      transactionId: delivery.transactionId,
      attempt: delivery.attempt,
      status,
      ...detail,
    } as JsonObject;
    const answer = await this.#ask(`ack:${id}`, message, signal);
    if (answer.outcome === 'rejected') {
      this.#inbox.finish(delivery.transactionId, delivery.attempt);
      throw new AgentError(AgentErrorCode.Refused, `The server refused the ack of ${id}: ${String(answer.reason)}`, {
        details: { status: 409, error: String(answer.reason) },
      });
    }
    if (final) this.#inbox.finish(delivery.transactionId, delivery.attempt);
  }

  async telemetry(_report: TelemetryReport, signal: AbortSignal): Promise<Pending> {
    await this.#ready(signal);
    return this.#inbox.pending();
  }

  async command(signal: AbortSignal): Promise<Command | undefined> {
    await this.#ready(signal);
    return this.#inbox.command();
  }

  updateCommand(update: CommandUpdate, signal: AbortSignal): Promise<void> {
    const detail: Record<string, unknown> = {};
    if (update.status === 'in_progress' && update.progress !== undefined) detail.progress = update.progress;
    if (update.status === 'done' && update.result !== undefined) detail.result = update.result;
    if (update.status === 'failed') detail.result = { message: update.message };
    return this.#ack(update.id, ACK_STATUS[update.status], detail, update.status !== 'in_progress', signal);
  }

  async config(signal: AbortSignal): Promise<ConfigDocument> {
    await this.#ready(signal);
    return this.#inbox.config();
  }

  async reportConfig(report: ConfigReport, signal: AbortSignal): Promise<void> {
    // "nothing newer" has no delivery to acknowledge
    if (report.id === undefined) return;
    const detail = report.message === undefined ? {} : { result: { message: report.message } };
    await this.#ack(report.id, report.status === 'done' ? 'complete' : 'device-error', detail, true, signal);
  }

  async licenses(): Promise<readonly License[]> {
    return [];
  }

  async confirmLicense(id: string, _state: LicenseState): Promise<void> {
    throw new AgentError(
      AgentErrorCode.Refused,
      `Cannot confirm licence ${id}: licences do not travel through the broker`,
      {
        details: { status: 404, error: 'unknown-license' },
      },
    );
  }

  async rpc(method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
    const id = ++this.#rpcId;
    const reply = await this.#ask(`rpc:${id}`, { type: 'rpc', id, method, params: params as JsonObject }, signal);
    if (isJsonObject(reply.error)) {
      throw new AgentError(
        AgentErrorCode.RpcFailed,
        `${method} failed: ${String(reply.error.message)} (${String(reply.error.code)})`,
        {
          details: { method, error: reply.error },
        },
      );
    }
    return reply.result;
  }

  async notify(method: string, params: unknown, signal: AbortSignal): Promise<void> {
    const client = await this.#ready(signal);
    if (!client.send({ type: 'rpc', method, params: params as JsonObject })) {
      throw new AgentError(AgentErrorCode.Unavailable, 'The broker connection is down');
    }
  }

  /** The broker plugin's package messages (docs/server.md, Packages, Transfer (plugin `broker`)). */
  get packages(): PackageChannel {
    return new BrokerPackageChannel({
      exchange: (message, signal) => this.#exchange(message, signal),
      finish: (commandId) => {
        const delivery = parseDeliveryId(commandId);
        if (delivery !== undefined) this.#inbox.finish(delivery.transactionId, delivery.attempt);
      },
    });
  }

  async *#exchange(message: JsonObject, signal: AbortSignal): AsyncGenerator<JsonObject> {
    const client = await this.#ready(signal);
    this.#requests ??= new BrokerRequests(this.#clock, this.#options.replyTimeoutMs ?? 30_000);
    yield* this.#requests.exchange((request) => client.send(request), message, signal);
  }

  close(): void {
    this.#closed = true;
    this.#requests?.failAll(new AgentError(AgentErrorCode.NotRunning, 'The broker session is closed'));
    this.#client?.close();
    this.#waiters.failAll(() => new AgentError(AgentErrorCode.NotRunning, 'The broker session is closed'));
  }
}
