import { memoryLogger } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.ts';
import { createRouter } from './router.ts';
import { serve } from './serve.ts';

describe('serve: the call context signal', () => {
  it('aborts when the client goes away before the answer', async () => {
    let reached: () => void = () => {};
    const started = new Promise<void>((resolve) => (reached = resolve));
    let aborted: (signal: AbortSignal | undefined) => void = () => {};
    const sawAbort = new Promise<AbortSignal | undefined>((resolve) => {
      aborted = resolve;
    });
    const logger = memoryLogger();
    const router = createRouter({ logger }).method('wait', {
      handler: (_p, ctx) =>
        new Promise((_, reject) => {
          ctx.signal?.addEventListener('abort', () => {
            aborted(ctx.signal);
            reject(ctx.signal?.reason);
          });
          reached();
        }),
    });
    const server = await serve(createHttpHandler(router));
    try {
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
      const signal = await sawAbort;
      expect(signal?.aborted).toBe(true);
      // every runtime's adapter aborts with a DOMException named AbortError
      const reason: unknown = signal?.reason;
      expect(reason).toBeInstanceOf(DOMException);
      expect(reason).toMatchObject({ name: 'AbortError' });
      // the handler failing for it is logged as the client going away, not as a bug
      await expect
        .poll(() => logger.records.map((r) => [r.level, r.message]))
        .toEqual([['info', 'JSON-RPC call ended: the client went away']]);
    } finally {
      await server.close();
    }
  });

  it('stays quiet for a call that was answered', async () => {
    let signal: AbortSignal | undefined;
    const router = createRouter().method('ok', {
      handler: (_p, ctx) => {
        signal = ctx.signal;
        return 1;
      },
    });
    const server = await serve(createHttpHandler(router));
    try {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","method":"ok","id":1}',
      });
      expect(await res.text()).toBe('{"jsonrpc":"2.0","result":1,"id":1}');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(signal?.aborted).toBe(false);
    } finally {
      await server.close();
    }
  });
});
