import { AgentError, AgentErrorCode } from '../errors.ts';
import { untilAborted } from './abort.ts';

/** One call of the device API. */
export interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** The access key, sent as `Authorization` without a scheme (Xyte). */
  readonly authorization?: string;
  readonly body?: unknown;
}

/** The fetch an HTTP transport uses (the runtime's, or one of the caller's). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Retry-After in ms: the server's `retry_after_ms` field, else the header's seconds. */
function retryAfterOf(response: Response, body: unknown): number | undefined {
  const field = (body as { retry_after_ms?: unknown } | undefined)?.retry_after_ms;
  if (typeof field === 'number' && Number.isFinite(field) && field >= 0) return field;
  const header = response.headers.get('retry-after');
  if (header !== null && /^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  return undefined;
}

function parse(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Makes one call and returns the parsed JSON of a 2xx answer (undefined
 * for an empty body). Every failure becomes an {@link AgentError}: a network
 * error or 5xx `unavailable`, 401/403 `auth-lost`, 429 `rate-limited`, any
 * other status `refused` with the server's `error` code; an abort rethrows
 * the signal's reason.
 */
export async function callJson(fetchFunction: FetchFunction, call: HttpCall, signal: AbortSignal): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (call.authorization !== undefined) headers.authorization = call.authorization;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  let text: string;
  // the signal is not handed to fetch: a fetch that watches a signal costs every call, and an agent stops
  // rarely. A stop leaves the call to finish unheard (as a power cut leaves a request on the wire).
  const exchange = fetchFunction(call.url, {
    method: call.method,
    headers,
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  }).then(async (answer) => ({ answer, body: await answer.text() }));
  exchange.catch(() => undefined);
  try {
    ({ answer: response, body: text } = await untilAborted(exchange, signal));
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw unreachable(call.url, error);
  }
  const body = parse(text);
  if (response.ok) {
    if (text.trim() !== '' && body === undefined) {
      throw new AgentError(AgentErrorCode.InvalidReply, `Cannot read the answer of ${call.url}: it is not JSON`, {
        details: { url: call.url, status: response.status },
      });
    }
    return body;
  }
  throw failureOf(call, response, body);
}

/**
 * The {@link AgentError} of a non-2xx answer: 401/403 `auth-lost`, 429
 * `rate-limited`, 5xx `unavailable`, any other `refused` with the server's
 * `error` code (`body` is the parsed JSON of the answer, if any).
 */
export function failureOf(call: Pick<HttpCall, 'method' | 'url'>, response: Response, body: unknown): AgentError {
  const status = response.status;
  const error =
    typeof (body as { error?: unknown } | undefined)?.error === 'string'
      ? (body as { error: string }).error
      : undefined;
  const details = { url: call.url, status, ...(error === undefined ? {} : { error }) };
  if (status === 401 || status === 403) {
    return new AgentError(AgentErrorCode.AuthLost, `The server refused the device's credentials (${status})`, {
      details,
    });
  }
  if (status === 429) {
    const retryAfterMs = retryAfterOf(response, body);
    return new AgentError(AgentErrorCode.RateLimited, 'The server asks the device to slow down (429)', {
      details: { ...details, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    });
  }
  if (status >= 500) {
    return new AgentError(AgentErrorCode.Unavailable, `The server failed (${status}) on ${call.url}`, { details });
  }
  return new AgentError(
    AgentErrorCode.Refused,
    `The server refused ${call.method} ${call.url} (${status}${error === undefined ? '' : ` ${error}`})`,
    {
      details,
    },
  );
}

/** A network failure (or a body cut short) as `unavailable`; an {@link AgentError} stays as it is. */
export function unreachable(url: string, error: unknown): AgentError {
  if (error instanceof AgentError) return error;
  return new AgentError(AgentErrorCode.Unavailable, `Cannot reach ${url}: ${messageOf(error)}`, {
    cause: error,
    details: { url },
  });
}

/** A GET whose 2xx answer is bytes (a signed manifest); failures as {@link callJson}'s. */
export async function callBytes(
  fetchFunction: FetchFunction,
  call: HttpCall,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const headers: Record<string, string> = call.authorization === undefined ? {} : { authorization: call.authorization };
  const exchange = fetchFunction(call.url, { method: call.method, headers }).then(async (answer) => ({
    answer,
    bytes: new Uint8Array(await answer.arrayBuffer()),
  }));
  exchange.catch(() => undefined);
  let result: { answer: Response; bytes: Uint8Array };
  try {
    result = await untilAborted(exchange, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw unreachable(call.url, error);
  }
  if (result.answer.ok) return result.bytes;
  throw failureOf(call, result.answer, parse(new TextDecoder().decode(result.bytes)));
}

/** True for a `refused` error with this HTTP status. */
export function isRefusedWith(error: unknown, status: number): boolean {
  return error instanceof AgentError && error.code === AgentErrorCode.Refused && error.details?.status === status;
}
