import type { Random } from '@fleetkit/core';
import type { JsonRpcId } from './protocol.ts';

/** What the transport knows about one incoming message (one HTTP request, one WebSocket frame). */
export interface RequestInfo {
  /** Correlates log lines of one message; generated when absent. */
  readonly requestId?: string;
  /** The authenticated user, if the transport authenticated one. */
  readonly user?: string;
  /** The account the message acts on, if the transport knows it. */
  readonly account?: string;
  /** Aborted when the peer goes away; handlers may pass it on. */
  readonly signal?: AbortSignal;
}

/**
 * The context of one call, shared by the middleware and the handler.
 * `user` and `account` are writable so that a middleware can resolve them
 * (docs/sources.md, the real exodm server item 5: the account may come from the `account` param).
 */
export class CallContext {
  /** The called method name. */
  readonly method: string;
  /** The request id; `undefined` for a notification. */
  readonly id: JsonRpcId | undefined;
  /** The params as received, before validation. */
  readonly params: unknown;
  /** The authenticated user, if any. */
  user: string | undefined;
  /** The account the call acts on, if known. */
  account: string | undefined;
  readonly #shared: SharedInfo;

  constructor(method: string, id: JsonRpcId | undefined, params: unknown, shared: SharedInfo) {
    this.method = method;
    this.id = id;
    this.params = params;
    this.user = shared.user;
    this.account = shared.account;
    this.#shared = shared;
  }

  /** True for a notification (no response will be sent). */
  get notification(): boolean {
    return this.id === undefined;
  }

  /** The id of the message this call came in; the calls of one batch share it. */
  get requestId(): string {
    return requestIdOf(this.#shared);
  }

  /** Aborted when the peer goes away, if the transport can tell. */
  get signal(): AbortSignal | undefined {
    return this.#shared.signal;
  }
}

/** Per-message state shared by the calls of a batch; the request id is made on first use. */
export interface SharedInfo {
  requestId: string | undefined;
  readonly user: string | undefined;
  readonly account: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly random: Random;
}

/** The message's request id, generated on first use. */
export function requestIdOf(shared: SharedInfo): string {
  if (shared.requestId === undefined) shared.requestId = shared.random.uuid();
  return shared.requestId;
}

/** The shared per-message state for `info`; the request id is generated on first use. */
export function sharedInfo(info: RequestInfo | undefined, random: Random): SharedInfo {
  return {
    requestId: info?.requestId,
    user: info?.user,
    account: info?.account,
    signal: info?.signal,
    random,
  };
}
