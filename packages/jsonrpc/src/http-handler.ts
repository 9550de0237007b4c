import { type Logger, silentLogger } from '@fleetkit/core';
import { codeText, PARSE_ERROR } from './_internal/encode.ts';
import { countOption } from './_internal/options.ts';
import { readLimited } from './_internal/read-body.ts';
import type { Authenticator, Principal } from './basic-auth.ts';
import type { Router } from './router.ts';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** Checks credentials before the body is read; absent: every request is anonymous. */
  readonly authenticate?: Authenticator;
  /** Largest accepted body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Where a failing authenticator is logged; default: silent. */
  readonly logger?: Logger;
}

/** A web-standard handler: `Request` in, `Response` out (Node, Bun, Deno, workers). */
export type FetchHandler = (request: Request) => Promise<Response>;

const JSON_TYPE = 'application/json';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Serves a router over HTTP POST (manual 001 §8.1–8.2: JSON-RPC 2.0 with basic
 * auth). JSON-RPC errors travel with status 200; HTTP statuses are kept for
 * failures of the HTTP exchange itself (405, 401, 415, 413) and 204 answers
 * input holding only notifications.
 */
export function createHttpHandler(router: Pick<Router, 'handle'>, options: HttpHandlerOptions = {}): FetchHandler {
  const limit = countOption('maxBodyBytes', options.maxBodyBytes, 1 << 20, 1);
  const auth = options.authenticate;
  const logger = options.logger ?? silentLogger;
  return async (request) => {
    if (request.method !== 'POST') return plain(405, 'Method Not Allowed: JSON-RPC takes POST', { allow: 'POST' });
    let principal: Principal | undefined;
    if (auth !== undefined) {
      try {
        principal = await auth.authenticate(request);
      } catch (error) {
        // the credential store failed: that is not the caller's fault, so no 401
        logger.error('JSON-RPC authentication failed', { error });
        await request.body?.cancel().catch(() => {});
        return json(500, codeText('internal-error', null));
      }
      if (principal === undefined) {
        await request.body?.cancel().catch(() => {});
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
    const bytes = await readLimited(request, limit).catch(() => new Uint8Array(0));
    if (bytes === undefined) return plain(413, `Content Too Large: at most ${limit} bytes`);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return json(200, PARSE_ERROR); // not UTF-8, so not JSON (RFC 8259 §8.1)
    }
    const requestId = requestIdOf(request.headers.get('x-request-id'));
    const out = await router.handle(text, {
      ...(requestId === undefined ? {} : { requestId }),
      ...(principal === undefined ? {} : principal),
      signal: request.signal,
    });
    return out === undefined ? new Response(null, { status: 204 }) : json(200, out);
  };
}

// a caller's id is kept for log correlation only when it is short and printable
function requestIdOf(header: string | null): string | undefined {
  return header !== null && header.length <= 128 && /^[\x21-\x7e]+$/.test(header) ? header : undefined;
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
