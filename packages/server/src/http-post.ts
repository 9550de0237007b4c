import { postPinned } from './adapters/pinned-http.ts';
import type { ServerContext } from './context.ts';
import { destinationPolicy, judgeDestination } from './destinations.ts';
import { ServerError, ServerErrorCode } from './errors.ts';

/** What {@link postJson} sends, and its bounds. */
export interface OutboundPost {
  /** The JSON text to POST. */
  readonly body: string;
  /** More headers (they win over the defaults: JSON content type, `user-agent: fleetkit-server`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of the whole exchange: resolving, connecting, the reply. Default `settings.callbackTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Reply bytes read; the rest is dropped unread. Default `settings.callbackMaxReplyBytes`. */
  readonly maxReplyBytes?: number;
  readonly signal?: AbortSignal;
}

/** The reply of a POST: any status (a redirect is never followed, so 3xx arrive as they are). */
export interface PostReply {
  readonly status: number;
  /** The first `maxReplyBytes` bytes of the reply, as text. */
  readonly body: string;
  /** True when the reply was longer and the rest was dropped. */
  readonly truncated: boolean;
  /** The checked address the request went to (the first checked one when the runtime does not tell). */
  readonly address: string;
}

/** The URL without credentials, query or fragment: what logs and error details may show. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

function credentialsHeader(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(pair)))}` };
}

async function readBounded(
  reply: { body: AsyncIterable<Uint8Array>; discard(): void },
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of reply.body) {
    const room = limit - size;
    if (chunk.byteLength > room) {
      text += decoder.decode(chunk.subarray(0, room));
      reply.discard();
      return { text, truncated: true };
    }
    size += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
  }
  return { text: text + decoder.decode(), truncated: false };
}

/** Resolves with `work`, or rejects with the signal's reason once it aborts (a lookup cannot be cancelled). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * POSTs JSON to a tenant-given URL within bounds: the destination rules are
 * checked at this moment and the connection goes to the checked address
 * (destinations.ts), the whole exchange has a deadline, at most
 * `maxReplyBytes` of the reply are read, and redirects are not followed.
 * Credentials in the URL are sent as Basic auth. Throws `invalid-url` and
 * `destination-denied` (sending again cannot help), or `callback-failed`
 * with `details.reason` `timeout`, `unresolved` or `network` (it may).
 */
export async function postJson(server: ServerContext, url: string, post: OutboundPost): Promise<PostReply> {
  const timeoutMs = post.timeoutMs ?? server.settings.callbackTimeoutMs;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = post.signal === undefined ? deadline : AbortSignal.any([deadline, post.signal]);
  const shown = redactUrl(url);
  const failed = (reason: string, message: string, cause?: unknown): ServerError =>
    new ServerError(ServerErrorCode.CallbackFailed, `Cannot POST to ${shown}: ${message}`, {
      details: { url: shown, reason },
      ...(cause === undefined ? {} : { cause }),
    });
  try {
    const verdict = await untilAborted(judgeDestination(url, destinationPolicy(server.settings)), signal);
    if (!verdict.allowed) {
      if (verdict.code === 'unresolved') throw failed('unresolved', verdict.reason);
      const code = verdict.code === 'invalid-url' ? ServerErrorCode.InvalidUrl : ServerErrorCode.DestinationDenied;
      throw new ServerError(code, `Cannot POST to ${shown}: ${verdict.reason}`, { details: { url: shown } });
    }
    const target = new URL(verdict.url);
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'fleetkit-server',
      ...credentialsHeader(target),
      ...post.headers,
    };
    target.username = '';
    target.password = '';
    const body = new TextEncoder().encode(post.body);
    const reply = await postPinned({ url: target, addresses: verdict.addresses, headers, body, signal });
    const read = await readBounded(reply, post.maxReplyBytes ?? server.settings.callbackMaxReplyBytes);
    const address = reply.address ?? verdict.addresses[0]!;
    return { status: reply.status, body: read.text, truncated: read.truncated, address };
  } catch (error) {
    if (error instanceof ServerError) throw error;
    if (post.signal?.aborted) throw post.signal.reason;
    if (deadline.aborted) throw failed('timeout', `no complete reply within ${timeoutMs} ms`, error);
    throw failed('network', error instanceof Error ? error.message : String(error), error);
  }
}
