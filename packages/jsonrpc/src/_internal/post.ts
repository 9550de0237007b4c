import type { Clock } from '@fleetkit/core';
import { JsonRpcError } from '../errors.ts';
import { isJsonRpcResponse } from '../protocol.ts';

/** Sends one HTTP request: `fetch`, or a handler answering in-process. */
export type Transport = (request: Request) => Promise<Response>;

export interface PostOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly send: Transport;
  readonly clock: Clock;
  readonly body: string;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
}

/** POSTs a body; the response text, or `undefined` for 204. Failures are JsonRpcErrors. */
export async function post(o: PostOptions): Promise<string | undefined> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(o.signal?.reason);
  if (o.signal?.aborted) throw o.signal.reason;
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = new JsonRpcError('timeout', `Cannot complete the call within ${o.timeoutMs} ms`, {
    details: { timeoutMs: o.timeoutMs, url: o.url },
  });
  const timer = o.timeoutMs > 0 ? o.clock.setTimeout(() => controller.abort(timeout), o.timeoutMs) : undefined;
  try {
    // raced as well as signalled: a transport that ignores the signal still cannot outlive the deadline
    const request = new Request(o.url, { method: 'POST', headers: o.headers, body: o.body, signal: controller.signal });
    const response = await raceAbort(o.send(request), controller.signal);
    // the body is read under the same deadline: a stalled stream also times out
    const text = await raceAbort(response.text(), controller.signal);
    return answer(response.status, text, o.url);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    if (error instanceof JsonRpcError) throw error;
    throw new JsonRpcError(
      'transport-failed',
      `Cannot reach ${o.url}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        details: { url: o.url },
      },
    );
  } finally {
    if (timer !== undefined) o.clock.clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

function answer(status: number, text: string, url: string): string | undefined {
  if (status === 204) return undefined;
  if (status === 200) return text;
  // a 401 or other status may still carry a JSON-RPC error object: prefer it
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (isJsonRpcResponse(value) && 'error' in value) throw JsonRpcError.fromWire(value.error);
  throw new JsonRpcError('http-status', `Cannot use the answer of ${url}: HTTP ${status}`, {
    details: { url, status, body: text.slice(0, 200) },
  });
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
