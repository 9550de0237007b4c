// A server without packages, as a 1.x exodm server is: our server behind a
// proxy that answers every package method of the backend API with -32601
// (Method not found) and passes everything else on.
import { type HttpServer, serveHttp } from '../runner/adapters/http-server.ts';

/** The proxy's base URL, and how to stop it. */
export interface WithoutPackages {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `target`'s backend API with its package methods missing. */
export async function withoutPackages(target: string): Promise<WithoutPackages> {
  const server: HttpServer = await serveHttp(
    async (request) => {
      const body = await request.text();
      const call = JSON.parse(body) as { id?: unknown; method?: unknown };
      if (typeof call.method === 'string' && call.method.includes('package')) {
        return Response.json({
          jsonrpc: '2.0',
          id: call.id ?? null,
          error: { code: -32601, message: 'Method not found' },
        });
      }
      const url = new URL(new URL(request.url).pathname.slice(1), target);
      return fetch(url, { method: request.method, headers: request.headers, body });
    },
    { host: '127.0.0.1', port: 0 },
  );
  return { url: `http://127.0.0.1:${server.port}/`, close: () => server.close() };
}
