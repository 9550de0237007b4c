import { type Served, serve } from '@fleetkit/jsonrpc';

/** One POST a listener received. */
export interface Received {
  readonly path: string;
  readonly headers: Headers;
  /** The parsed JSON body. */
  readonly body: { jsonrpc?: string; id?: unknown; method: string; params: Record<string, unknown> };
}

/** How a listener answers a request: a Response, or a promise of one (never settling: a backend that hangs). */
export type Answer = (request: Received, index: number) => Response | Promise<Response>;

/** A backend's callback endpoint on a real port, recording what it receives. */
export interface Listener {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs` of real time, default 20 s). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

const ok: Answer = () => new Response(null, { status: 204 });

/** Starts a callback listener (the runtime's own HTTP server, port 0 unless given). */
export async function listen(answer: Answer = ok, port?: number): Promise<Listener> {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  // a hanging answer ends at close: Deno's server waits for every handler before it stops
  let closing = (): void => {};
  const closed = new Promise<Response>((resolve) => {
    closing = () => resolve(new Response(null, { status: 503 }));
  });
  const served: Served = await serve(
    async (request) => {
      const entry: Received = {
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: JSON.parse(await request.text()),
      };
      received.push(entry);
      for (const wake of waiters.splice(0)) wake();
      return Promise.race([answer(entry, received.length - 1), closed]);
    },
    port === undefined ? {} : { port },
  );
  return {
    url: new URL('cb', served.url).toString(),
    port: served.port,
    received,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `expected ${count} callbacks, got ${received.length}: ${JSON.stringify(received.map((r) => r.body))}`,
          );
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received.slice(0, count);
    },
    close: () => {
      closing();
      return served.close();
    },
  };
}

/** Polls `probe` (real time, 20 s at most) until it returns true. */
export async function eventually(probe: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
