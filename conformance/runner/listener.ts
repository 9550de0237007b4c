import { type HttpServer, serveHttp } from './adapters/http-server.ts';
import { CheckFailure } from './check.ts';
import { show } from './expect.ts';

/** One POST the listener received. */
export interface Received {
  readonly path: string;
  readonly headers: Headers;
  /** The JSON body (`undefined` when it was not JSON). */
  readonly body: {
    readonly jsonrpc?: unknown;
    readonly id?: unknown;
    readonly method?: unknown;
    readonly params?: Record<string, unknown>;
  };
  readonly text: string;
}

/** How an endpoint answers: a backend that replies, or the default empty 204. */
export type Answer = (request: Received) => Response | Promise<Response>;

/**
 * One URL of the listener, given to the server as a notification URL: what
 * it received, in arrival order, and how it answers.
 */
export class Endpoint {
  readonly url: string;
  readonly received: Received[] = [];
  answer: Answer;
  readonly #waiters = new Set<() => void>();

  constructor(url: string, answer: Answer) {
    this.url = url;
    this.answer = answer;
  }

  /** Records a request and wakes whoever waits. */
  take(request: Received): void {
    this.received.push(request);
    for (const wake of this.#waiters) wake();
  }

  /** The first request (in arrival order) matching `match`, waiting up to `ms`. */
  async waitFor(match: (request: Received) => boolean, what: string, ms: number): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CheckFailure(
          `no ${what} within ${ms} ms at ${this.url}; it received ${show(this.received.map((r) => r.body))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }
}

/** Where the listener listens: `--callback-host`, `--callback-port` (0: a free port). */
export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
}

/**
 * The real local HTTP listener a run gives the server as notification URLs
 * (manual §8.1): one path per endpoint, so each check hears only its own.
 */
export class CallbackListener {
  readonly #server: HttpServer;
  /** `http://host:port`, the listener's origin. */
  readonly url: string;
  readonly #endpoints = new Map<string, Endpoint>();
  #next = 0;

  private constructor(server: HttpServer, base: string) {
    this.#server = server;
    this.url = base;
  }

  static async start(options: ListenerOptions): Promise<CallbackListener> {
    let listener: CallbackListener | undefined;
    const server = await serveHttp((request) => listener!.#handle(request), options);
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    listener = new CallbackListener(server, `http://${host}:${server.port}`);
    return listener;
  }

  /** A new endpoint named after `label`, answering 204 unless told otherwise. */
  endpoint(label: string, answer: Answer = () => new Response(null, { status: 204 })): Endpoint {
    const path = `/${++this.#next}-${label.replace(/[^A-Za-z0-9-]/g, '-')}`;
    const endpoint = new Endpoint(`${this.url}${path}`, answer);
    this.#endpoints.set(path, endpoint);
    return endpoint;
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  async #handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, '');
    const endpoint = this.#endpoints.get(path);
    const text = await request.text();
    let body: Received['body'] = {};
    try {
      body = JSON.parse(text) as Received['body'];
    } catch {
      // kept as text: a check that expects JSON says so
    }
    const received: Received = { path, headers: request.headers, body, text };
    if (endpoint === undefined) return new Response(null, { status: 404 });
    endpoint.take(received);
    return endpoint.answer(received);
  }
}
