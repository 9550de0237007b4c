// The one place the runner touches a runtime's HTTP server: node:http, which
// Node, Bun and Deno all provide. The rest of the runner sees web Requests
// and Responses.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A listening HTTP server. */
export interface HttpServer {
  /** The port it listens on (the one asked for, or the free one picked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `handle` on `host:port` (port 0 picks a free one). */
export function serveHttp(
  handle: (request: Request) => Promise<Response>,
  options: { readonly host: string; readonly port: number },
): Promise<HttpServer> {
  const server = createServer((incoming, outgoing) => {
    void answer(handle, options.host, incoming, outgoing);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function answer(
  handle: (request: Request) => Promise<Response>,
  host: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const one of value) headers.append(name, one);
  }
  const method = incoming.method ?? 'GET';
  const request = new Request(new URL(incoming.url ?? '/', `http://${host}`), {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
  });
  let response: Response;
  try {
    response = await handle(request);
  } catch {
    response = new Response(null, { status: 500 });
  }
  const body = Buffer.from(await response.arrayBuffer());
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(body);
}
