import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../http-handler.ts';
import { createRouter } from '../router.ts';
import { serveNode } from './node.ts';

describe('node:http adapter', () => {
  it('aborts the call context signal when the client goes away', async () => {
    let reached: () => void = () => {};
    const started = new Promise<void>((resolve) => (reached = resolve));
    const aborted = new Promise<unknown>((resolve) => {
      const router = createRouter().method('wait', {
        handler: (_p, ctx) =>
          new Promise((_, reject) => {
            reached();
            ctx.signal?.addEventListener('abort', () => {
              resolve(ctx.signal?.reason);
              reject(new Error('aborted'));
            });
          }),
      });
      void serveNode(createHttpHandler(router), {}).then(async (server) => {
        const client = new AbortController();
        const call = fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"jsonrpc":"2.0","method":"wait","id":1}',
          signal: client.signal,
        }).catch(() => undefined);
        await started;
        client.abort();
        await call;
        await aborted;
        await server.close();
      });
    });
    expect(await aborted).toBeInstanceOf(Error);
  });
});
