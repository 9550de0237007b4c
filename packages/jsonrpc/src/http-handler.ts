import { CoreError, createLogger, cryptoRandom, FleetkitError, type Logger, type Random } from '@fleetkit/core';
import { codeText, PARSE_ERROR } from './_internal/encode.ts';
import { countOption } from './_internal/options.ts';
import { readLimited } from './_internal/read-body.ts';
import { requestIdHeader } from './_internal/request-id.ts';
import type { Authenticator, Principal } from './basic-auth.ts';
import type { Router } from './router.ts';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** Checks credentials before the body is read; absent: every request is anonymous. */
  readonly authenticate?: Authenticator;
  /** Largest accepted body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Where a failing authenticator and an unreadable body are logged, with the
   * request id; default `createLogger()`, JSON lines on stderr.
   */
  readonly logger?: Logger;
  /** Makes request ids for requests without a usable `X-Request-Id`; default `cryptoRandom`. */
  readonly random?: Random;
}

/** A web-standard handler: `Request` in, `Response` out (Node, Bun, Deno, workers). */
export type FetchHandler = (request: Request) => Promise<Response>;

const JSON_TYPE = 'application/json';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Serves a router over HTTP POST (manual 001 §8.1–8.2: JSON-RPC 2.0 with basic
 * auth). JSON-RPC errors travel with status 200; HTTP statuses are kept for
 * failures of the HTTP exchange itself (405, 401, 415, 413, 400 for a body
 * that could not be read) and 204 answers input holding only notifications.
 *
 * An authenticator (a `verify`) that throws a `FleetkitError` refuses the
 * credentials with that reason: 401, `error.data` = `{ code, message }`
 * (rbac's `account-not-specified`, say). Any other throw, and core's own
 * `CoreError` (a failing SQL store, a worker pool), is a failure of the
 * server: 500, logged.
 */
export function createHttpHandler(router: Pick<Router, 'handle'>, options: HttpHandlerOptions = {}): FetchHandler {
  const limit = countOption('maxBodyBytes', options.maxBodyBytes, 1 << 20, 1);
  const auth = options.authenticate;
  const logger = options.logger ?? createLogger();
  const random = options.random ?? cryptoRandom;
  return async (request) => {
    if (request.method !== 'POST') return plain(405, 'Method Not Allowed: JSON-RPC takes POST', { allow: 'POST' });
    const requestId = requestIdHeader(request);
    let principal: Principal | undefined;
    if (auth !== undefined) {
      try {
        principal = await auth.authenticate(request);
      } catch (error) {
        await discard(request);
        if (isRefusal(error)) {
          const data = { code: error.code, message: error.message };
          return json(401, codeText('unauthenticated', null, data), { 'www-authenticate': auth.challenge });
        }
        // the credential store failed: that is not the caller's fault, so no 401
        const id = requestId ?? random.uuid();
        logger.error('JSON-RPC authentication failed', { requestId: id, error });
        return json(500, codeText('internal-error', null), { 'x-request-id': id });
      }
      if (principal === undefined) {
        await discard(request);
        return json(401, codeText('unauthenticated', null), { 'www-authenticate': auth.challenge });
      }
    }
    if (!isJsonType(request.headers.get('content-type'))) {
      return plain(
        415,
        `Unsupported Media Type: expected ${JSON_TYPE} (UTF-8), got ${request.headers.get('content-type') ?? 'none'}`,
        {
          accept: JSON_TYPE,
        },
      );
    }
    // RFC 9110 §8.4: a content coding we do not decode is refused with 415, not misread as JSON
    const coding = request.headers.get('content-encoding');
    if (coding !== null && coding.trim().toLowerCase() !== 'identity') {
      return plain(415, `Unsupported Media Type: content coding ${coding} is not accepted`, {
        'accept-encoding': 'identity',
      });
    }
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > limit) return plain(413, `Content Too Large: at most ${limit} bytes, got ${declared}`);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readLimited(request, limit);
    } catch (error) {
      // the upload broke off (client gone, connection reset, truncated body): nothing to parse
      const id = requestId ?? random.uuid();
      logger.warn('JSON-RPC request body could not be read', { requestId: id, error });
      return plain(400, `Bad Request: the body could not be read (request id ${id})`, { 'x-request-id': id });
    }
    if (bytes === undefined) return plain(413, `Content Too Large: at most ${limit} bytes`);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return json(200, PARSE_ERROR); // not UTF-8, so not JSON (RFC 8259 §8.1)
    }
    const out = await router.handle(text, {
      ...(requestId === undefined ? {} : { requestId }),
      ...(principal === undefined ? {} : principal),
      signal: request.signal,
    });
    return out === undefined ? new Response(null, { status: 204 }) : json(200, out);
  };
}

// core's own errors come from the infrastructure (SQL, worker pool), never from a judgement on the caller
function isRefusal(error: unknown): error is FleetkitError {
  return error instanceof FleetkitError && !(error instanceof CoreError);
}

// the body is not wanted: cancelling lets the transport drop the rest instead of buffering it
async function discard(request: Request): Promise<void> {
  await request.body?.cancel().catch(() => {});
}

// RFC 8259 §8.1: JSON is UTF-8; a charset parameter, if sent, must say so
function isJsonType(header: string | null): boolean {
  if (header === null) return false;
  const [type, ...params] = header.split(';');
  if (type?.trim().toLowerCase() !== JSON_TYPE) return false;
  return params.every((p) => {
    const [name, value] = p.split('=');
    return name?.trim().toLowerCase() !== 'charset' || value?.trim().replaceAll('"', '').toLowerCase() === 'utf-8';
  });
}

function json(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

function plain(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}
