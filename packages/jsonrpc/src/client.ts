import { type Clock, systemClock } from '@fleetkit/core';
import { countOption, urlOption } from './_internal/options.ts';
import { post, type Transport } from './_internal/post.ts';
import { basicAuthHeader } from './basic-auth.ts';
import { JsonRpcError } from './errors.ts';
import type { MethodTypes } from './method.ts';
import { isJsonRpcResponse, type JsonRpcResponse } from './protocol.ts';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The JSON-RPC endpoint, e.g. `https://host:8000/exodm/rpc`. */
  readonly url: string | URL;
  /** Sends a request; default the runtime's `fetch`. A router's HTTP handler can be passed to call it in-process. */
  readonly fetch?: Transport;
  /** Basic-auth credentials sent with every request (RFC 7617, UTF-8). */
  readonly auth?: { readonly user: string; readonly password: string };
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-call deadline in ms; 0 disables it. Default 30 000. */
  readonly timeoutMs?: number;
  /** Measures the deadline; default `systemClock`. */
  readonly clock?: Clock;
}

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call; the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Overrides the client's deadline for this call. */
  readonly timeoutMs?: number;
}

/** One entry of {@link Client.batch}. */
export interface BatchEntry {
  readonly method: string;
  readonly params?: unknown;
  /** Send as a notification: no id, no answer. */
  readonly notify?: boolean;
}

/** The outcome of one batch entry, in the order sent; `undefined` for notifications. */
export type BatchOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: JsonRpcError }
  | undefined;

/** A fetch-based JSON-RPC 2.0 client, typed by the methods of a router (`MethodsOf<typeof router>`). */
export class Client<M extends MethodTypes = MethodTypes> {
  readonly #transport: (body: string, options: CallOptions | undefined) => Promise<string | undefined>;
  #nextId = 1;

  constructor(options: ClientOptions) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...options.headers,
    };
    if (options.auth !== undefined) headers.authorization = basicAuthHeader(options.auth.user, options.auth.password);
    const send = options.fetch ?? ((request: Request) => fetch(request));
    const clock = options.clock ?? systemClock;
    const url = urlOption('url', options.url);
    const timeoutMs = countOption('timeoutMs', options.timeoutMs, 30_000, 0);
    this.#transport = (body, call) =>
      post({
        url,
        headers,
        send,
        clock,
        body,
        signal: call?.signal,
        timeoutMs: countOption('timeoutMs', call?.timeoutMs, timeoutMs, 0),
      });
  }

  /**
   * Sends `text` exactly as given and resolves to the response text, or
   * `undefined` when the server answers nothing (HTTP 204). For conformance
   * suites that send what a typed call cannot (bad JSON, odd ids, batches).
   */
  raw(text: string, options?: CallOptions): Promise<string | undefined> {
    return this.#transport(text, options);
  }

  /** Calls a method and resolves to its result; rejects with a `JsonRpcError`. */
  async call<N extends keyof M & string>(
    method: N,
    params?: M[N]['params'],
    options?: CallOptions,
  ): Promise<M[N]['result']> {
    const id = this.#nextId++;
    const text = await this.#transport(request(method, params, id), options);
    const response = parseResponse(text);
    // an error with id null answers a message the server could not read (§5)
    if (!Array.isArray(response) && 'error' in response && (response.id === id || response.id === null)) {
      throw JsonRpcError.fromWire(response.error);
    }
    if (Array.isArray(response) || response.id !== id || !('result' in response))
      throw badResponse(`a response with id ${id}`, text ?? '');
    return response.result as M[N]['result'];
  }

  /** Sends a notification; resolves once the server accepted it (no result exists). */
  async notify<N extends keyof M & string>(method: N, params?: M[N]['params'], options?: CallOptions): Promise<void> {
    const text = await this.#transport(request(method, params, undefined), options);
    if (text !== undefined) {
      const response = parseResponse(text); // a server may still reject the message as a whole
      if (!Array.isArray(response) && 'error' in response) throw JsonRpcError.fromWire(response.error);
    }
  }

  /** Sends entries as one batch (specification §6); outcomes come back in the order sent. */
  async batch(entries: readonly BatchEntry[], options?: CallOptions): Promise<BatchOutcome[]> {
    if (entries.length === 0) {
      throw new JsonRpcError(
        'invalid-definition',
        'Cannot send an empty batch: the specification answers it with Invalid Request',
        {
          details: { path: 'entries', expected: 'at least one entry', got: 0 },
        },
      );
    }
    const ids = entries.map((e) => (e.notify === true ? undefined : this.#nextId++));
    const body = `[${entries.map((e, i) => request(e.method, e.params, ids[i])).join(',')}]`;
    const text = await this.#transport(body, options);
    if (text === undefined) {
      if (ids.some((id) => id !== undefined)) throw badResponse('responses for the calls of the batch', '');
      return entries.map(() => undefined);
    }
    const response = parseResponse(text);
    if (!Array.isArray(response)) {
      if ('error' in response) throw JsonRpcError.fromWire(response.error);
      throw badResponse('an array of responses', text);
    }
    const byId = new Map(response.map((r) => [r.id, r]));
    return ids.map((id) => {
      if (id === undefined) return undefined;
      const r = byId.get(id);
      if (r === undefined) return { ok: false, error: badResponse(`a response with id ${id}`, text) };
      return 'error' in r ? { ok: false, error: JsonRpcError.fromWire(r.error) } : { ok: true, result: r.result };
    });
  }
}

/** A client for `options.url`; type it with the router's methods: `createClient<MethodsOf<typeof router>>(…)`. */
export function createClient<M extends MethodTypes = MethodTypes>(options: ClientOptions): Client<M> {
  return new Client<M>(options);
}

function request(method: string, params: unknown, id: number | undefined): string {
  const p = params === undefined ? '' : `,"params":${JSON.stringify(params)}`;
  const i = id === undefined ? '' : `,"id":${id}`;
  return `{"jsonrpc":"2.0","method":${JSON.stringify(method)}${p}${i}}`;
}

function parseResponse(text: string | undefined): JsonRpcResponse | JsonRpcResponse[] {
  if (text === undefined) throw badResponse('a response', '(no body)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badResponse('JSON', text);
  }
  if (Array.isArray(value) ? value.length > 0 && value.every(isJsonRpcResponse) : isJsonRpcResponse(value)) {
    return value as JsonRpcResponse | JsonRpcResponse[];
  }
  throw badResponse('JSON-RPC 2.0 response objects', text);
}

function badResponse(expected: string, got: string): JsonRpcError {
  return new JsonRpcError('bad-response', `Cannot read the server's answer: expected ${expected}`, {
    details: { expected, got: got.slice(0, 200) },
  });
}
