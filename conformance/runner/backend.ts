import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { CheckFailure } from './check.ts';
import { show } from './expect.ts';

/** A user of the backend API: a login (`user`, `*account*user`, …) and a password. */
export interface Login {
  readonly user: string;
  readonly password: string;
}

/** A JSON-RPC answer as the backend gave it. */
export interface Reply {
  readonly status: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

/** An HTTP answer as it arrived. */
export interface RawReply {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/**
 * The backend API of the server under test (manual §8.1–8.2): JSON-RPC 2.0
 * over HTTP POST with Basic auth, at `<url>/exodm/rpc` unless told otherwise.
 */
export class Backend {
  readonly endpoint: string;
  readonly master: Login;
  #id = 0;

  constructor(endpoint: string, master: Login) {
    this.endpoint = endpoint;
    this.master = master;
  }

  /** One call with an id; the HTTP status and the parsed response. */
  async call(login: Login, method: string, params?: unknown): Promise<Reply> {
    const id = ++this.#id;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    const raw = await this.raw(login, body);
    if (raw.text === '') return { status: raw.status };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.text);
    } catch {
      throw new CheckFailure(`${method}: the answer is not JSON (HTTP ${raw.status}): ${raw.text.slice(0, 200)}`);
    }
    const response = parsed as Record<string, unknown>;
    if (raw.status === 200 && response.id !== id) {
      throw new CheckFailure(`${method}: the answer names id ${show(response.id)}, the request ${id}`);
    }
    return { status: raw.status, ...(response as Omit<Reply, 'status'>) };
  }

  /** Sends `body` as it is, with the login's Basic auth (none when `login` is undefined). */
  async raw(login: Login | undefined, body: string): Promise<RawReply> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(login === undefined ? {} : { authorization: basicAuthHeader(login.user, login.password) }),
        },
        body,
      });
    } catch (error) {
      throw new CheckFailure(`cannot reach ${this.endpoint}: ${error instanceof Error ? error.message : error}`);
    }
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  }

  /** A call that must succeed with `{"result": "ok", …}`; returns the result. */
  async ok(login: Login, method: string, params?: unknown): Promise<Record<string, unknown>> {
    const reply = await this.call(login, method, params);
    if (reply.result?.result !== 'ok') {
      throw new CheckFailure(`${method} ${show(params)}: expected result ok, got ${show(reply.error ?? reply.result)}`);
    }
    return reply.result;
  }
}
