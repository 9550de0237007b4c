import { cryptoRandom, type Logger } from '@fleetkit/core';
import type { FetchHandler } from '../http-handler.ts';
import { requestIdHeader } from './request-id.ts';

/**
 * `handler`, answering 500 where it throws: logged with a request id that the
 * answer names too, the same on every runtime instead of each runtime's own
 * error page (or none).
 */
export function guard(handler: FetchHandler, logger: Logger): FetchHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      const requestId = requestIdHeader(request) ?? cryptoRandom.uuid();
      logger.error('HTTP handler failed', { requestId, method: request.method, url: request.url, error });
      return new Response(`Internal Server Error (request id ${requestId})`, {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': requestId },
      });
    }
  };
}

/** The reason a request's signal carries when its client goes away before the answer. */
export function clientGone(): DOMException {
  return new DOMException('The client closed the connection before the answer', 'AbortError');
}
