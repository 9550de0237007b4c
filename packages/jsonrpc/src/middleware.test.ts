import { memoryLogger, SeededRandom } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { accountFromParams, allow, authorization, deny } from './authorization.ts';
import type { CallContext } from './context.ts';
import { composeMiddleware } from './middleware.ts';
import { createRouter } from './router.ts';

const req = (o: Record<string, unknown>): string => JSON.stringify({ jsonrpc: '2.0', ...o });

describe('middleware', () => {
  it('runs outermost first around the handler, with one context per call', async () => {
    const seen: string[] = [];
    const r = createRouter()
      .use(async (ctx, next) => {
        seen.push(`a>${ctx.method}`);
        const out = await next();
        seen.push('a<');
        return out;
      })
      .use((ctx, next) => {
        seen.push(`b>${ctx.id}`);
        return next();
      })
      .method('m', { handler: () => seen.push('handler') });
    await r.handle(req({ method: 'm', id: 1 }));
    expect(seen).toEqual(['a>m', 'b>1', 'handler', 'a<']);
  });

  it('composes several middleware into one that runs them in order', () => {
    const seen: string[] = [];
    const stack = composeMiddleware(
      (_ctx, next) => {
        seen.push('first');
        return next();
      },
      (_ctx, next) => {
        seen.push('second');
        return next();
      },
    );
    const r = createRouter()
      .use(stack)
      .use((_ctx, next) => {
        seen.push('after');
        return next();
      })
      .method('m', { handler: () => seen.push('handler') });
    r.handle(req({ method: 'm', id: 1 }));
    expect(seen).toEqual(['first', 'second', 'after', 'handler']);
  });

  it('can answer instead of the handler', () => {
    const r = createRouter()
      .use(() => 'cached')
      .method('m', { handler: () => 'fresh' });
    expect(r.handle(req({ method: 'm', id: 1 }))).toBe('{"jsonrpc":"2.0","result":"cached","id":1}');
  });

  it('carries user, account and one generated request id shared by the calls of a batch', () => {
    const contexts: CallContext[] = [];
    const r = createRouter({ random: new SeededRandom(1) }).method('m', { handler: (_p, ctx) => contexts.push(ctx) });
    r.handle(`[${req({ method: 'm', id: 1 })},${req({ method: 'm' })}]`, { user: 'u', account: 'acme' });
    expect(contexts.map((c) => [c.user, c.account, c.notification])).toEqual([
      ['u', 'acme', false],
      ['u', 'acme', true],
    ]);
    expect(contexts[0]!.requestId).toBe(new SeededRandom(1).uuid());
    expect(contexts[1]!.requestId).toBe(contexts[0]!.requestId);
  });

  it('keeps a request id the transport gave', () => {
    let id = '';
    const r = createRouter().method('m', { handler: (_p, ctx) => (id = ctx.requestId) });
    r.handle(req({ method: 'm', id: 1 }), { requestId: 'from-header' });
    expect(id).toBe('from-header');
  });

  it('answers -32603 when a middleware throws a plain error, and logs it', () => {
    const logger = memoryLogger();
    const r = createRouter({ logger })
      .use(() => {
        throw new Error('bug');
      })
      .method('m', { handler: () => 1 });
    expect(r.handle(req({ method: 'm', id: 1 }))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}',
    );
    expect(logger.records.map((x) => [x.level, x.message, x.fields.method])).toEqual([
      ['error', 'JSON-RPC handler failed', 'm'],
    ]);
  });
});

describe('authorization hook', () => {
  const build = (authorize: Parameters<typeof authorization>[0]) => {
    const ran: string[] = [];
    const logger = memoryLogger();
    const router = createRouter({ logger })
      .use(accountFromParams())
      .use(authorization(authorize))
      .method('exodm:list-devices', { handler: (_p, ctx) => ran.push(`${ctx.user}@${ctx.account}`) });
    return { router, ran, logger };
  };

  it('passes user, account, method and the params as sent to the hook and runs allowed calls', async () => {
    const asked: unknown[] = [];
    const { router, ran } = build(async (q) => {
      asked.push(q);
      return allow;
    });
    const params = { account: 'acme', 'device-id': 'dev-1', package: 'acme-pkg' };
    await router.handle(req({ method: 'exodm:list-devices', params, id: 1 }), { user: 'bob', account: 'other' });
    expect(asked).toEqual([{ user: 'bob', account: 'acme', method: 'exodm:list-devices', params }]);
    expect(ran).toEqual(['bob@acme']);
  });

  it('answers -32002 with the reason and does not run a denied call', () => {
    const { router, ran } = build(() => deny('role view may not call it'));
    expect(
      JSON.parse(
        router.handle(req({ method: 'exodm:list-devices', id: 1 }), { user: 'bob', account: 'acme' }) as string,
      ),
    ).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32002,
        message: 'Permission denied',
        data: { method: 'exodm:list-devices', user: 'bob', account: 'acme', reason: 'role view may not call it' },
      },
      id: 1,
    });
    expect(ran).toEqual([]);
  });

  it.each([
    ['undefined', undefined],
    ['true', true],
    ['{ allow: "yes" }', { allow: 'yes' }],
  ])('denies when the hook returns %s (fail closed)', (_, decision) => {
    const { router, ran } = build(() => decision as never);
    expect(router.handle(req({ method: 'exodm:list-devices', id: 1 }))).toContain('"code":-32002');
    expect(ran).toEqual([]);
  });

  it('answers -32603 and runs nothing when the hook throws', async () => {
    const { router, ran, logger } = build(async () => {
      throw new Error('store down');
    });
    expect(await router.handle(req({ method: 'exodm:list-devices', id: 1 }))).toContain('"code":-32603');
    expect(ran).toEqual([]);
    expect(logger.records.map((x) => [x.level, x.fields.method])).toEqual([['error', 'exodm:list-devices']]);
  });
});
