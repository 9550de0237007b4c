// The routers a user would pick instead, set up exactly as in
// the baselines of docs/sources.md: string in, string out, one `echo` method.
import jayson from 'jayson';
import { JSONRPCServer } from 'json-rpc-2.0';

export type TextHandler = (text: string) => unknown;

export function jsonRpc2(): TextHandler {
  const server = new JSONRPCServer();
  server.addMethod('echo', ({ x }: { x: number }) => x);
  return async (text) => JSON.stringify(await server.receiveJSON(text));
}

export function jaysonServer(): TextHandler {
  const server = new jayson.Server({
    echo: (args: { x: number }, cb: (error: unknown, result?: unknown) => void) => cb(null, args.x),
  });
  return (text) =>
    new Promise<string>((resolve, reject) => {
      server.call(text, (error: unknown, response: unknown) =>
        error ? reject(error) : resolve(JSON.stringify(response)),
      );
    });
}

/** The floor: parse, build the response, stringify; no routing, no checks. */
export function floor(text: string): string {
  const r = JSON.parse(text) as { id: number; params: { x: number } } | { id: number; params: { x: number } }[];
  if (Array.isArray(r)) return JSON.stringify(r.map((q) => ({ jsonrpc: '2.0', id: q.id, result: q.params.x })));
  return JSON.stringify({ jsonrpc: '2.0', id: r.id, result: r.params.x });
}
