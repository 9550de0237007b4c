// The only file that touches node:http: maps its request/response pair onto
// the web-standard handler (Bun and Deno serve `Request`s natively).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@fleetkit/core';
import { baseUrl } from '../_internal/base-url.ts';
import { clientGone } from '../_internal/guard.ts';
import type { FetchHandler } from '../http-handler.ts';
import type { Served, ServeOptions } from '../serve.ts';
import { requestBody } from './node-body.ts';

/** Serves `handler` (which never throws: `serve` guards it) with `node:http`, mapping each request onto a web `Request`. */
export async function serveNode(handler: FetchHandler, options: ServeOptions, logger: Logger): Promise<Served> {
  const server = createServer((req, res) => void respond(handler, req, res, logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.hostname ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    runtime: 'node',
    port,
    url: baseUrl(options.hostname ?? '127.0.0.1', port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function respond(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort(clientGone());
  });
  // a response to a client that went away can still fail a write; that is no crash
  res.on('error', (error) => logger.debug('HTTP response failed', { url: req.url, error }));
  let request: Request;
  try {
    request = toRequest(req, abort.signal);
  } catch (error) {
    // a Host or target no URL can hold (`Host: a b`, `OPTIONS *`): the handler could not even see it
    logger.warn('HTTP request refused: not a valid URL', { url: req.url, host: req.headers.host, error });
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    return void res.end('Bad Request: the Host header and target do not form a URL');
  }
  const response = await handler(request);
  try {
    res.writeHead(response.status, headersOf(response, req));
    if (response.body === null) return void res.end();
    for await (const chunk of response.body) {
      if (res.destroyed) break;
      res.write(chunk);
    }
    res.end();
  } catch (error) {
    // the head is out, so the status cannot change: the connection is cut, and the cause logged
    logger.warn('HTTP response body failed', { url: req.url, error });
    res.destroy();
  }
}

function headersOf(response: Response, req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.fromEntries(response.headers);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) out['set-cookie'] = cookies;
  // answered before the whole body arrived (401, 413, 415): keeping the connection would mean reading the rest
  if (!req.complete) out.connection = 'close';
  return out;
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    signal,
    ...(hasBody ? { body: requestBody(req), duplex: 'half' } : {}),
  } as RequestInit);
}
