import { memoryLogger } from '@fleetkit/core';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type AuthorizationRequest, accountFromParams, allow, authorization, deny } from './authorization.ts';
import { JsonRpcError } from './errors.ts';
import type { MethodDefinition, MethodResolver } from './method.ts';
import { createRouter } from './router.ts';

const req = (o: Record<string, unknown>): string => JSON.stringify({ jsonrpc: '2.0', ...o });
const parsed = async (out: unknown): Promise<unknown> => JSON.parse((await out) as string);

/** RPCs of uploaded modules, per account, replaced whole when a module gets a new revision. */
function modules() {
  const byAccount = new Map<string, Map<string, MethodDefinition>>();
  const asked: string[] = [];
  const resolve: MethodResolver = (method, ctx) => {
    asked.push(`${ctx.account ?? '-'}:${method}`);
    return byAccount.get(ctx.account ?? '')?.get(method);
  };
  const upload = (account: string, rpcs: Record<string, MethodDefinition>): void => {
    byAccount.set(account, new Map(Object.entries(rpcs)));
  };
  return { resolve, upload, asked };
}

const reboot = (revision: string): MethodDefinition =>
  ({
    params: v.object({ 'device-id': v.string(), delay: v.number() }),
    handler: (p: { 'device-id': string; delay: number }) => ({ revision, device: p['device-id'], delay: p.delay }),
  }) as MethodDefinition;

describe('method resolver', () => {
  it('serves a method no one registered, with its params validated', async () => {
    const m = modules();
    m.upload('acme', { 'acme:reboot': reboot('2024-01-01') });
    const router = createRouter({ resolve: m.resolve });
    const info = { user: 'bob', account: 'acme' };
    expect(
      await parsed(router.handle(req({ method: 'acme:reboot', params: { 'device-id': 'd1', delay: 5 }, id: 1 }), info)),
    ).toEqual({ jsonrpc: '2.0', result: { revision: '2024-01-01', device: 'd1', delay: 5 }, id: 1 });
    expect(
      await parsed(router.handle(req({ method: 'acme:reboot', params: { 'device-id': 'd1' }, id: 2 }), info)),
    ).toMatchObject({ error: { code: -32602, data: { issues: [{ path: ['delay'] }] } }, id: 2 });
  });

  it('is asked on every call, so a new revision serves the next call', async () => {
    const m = modules();
    const router = createRouter({ resolve: m.resolve });
    const call = req({ method: 'acme:reboot', params: { 'device-id': 'd1', delay: 1 }, id: 1 });
    m.upload('acme', { 'acme:reboot': reboot('2024-01-01') });
    expect(await parsed(router.handle(call, { account: 'acme' }))).toMatchObject({
      result: { revision: '2024-01-01' },
    });
    m.upload('acme', { 'acme:reboot': reboot('2025-06-30') });
    expect(await parsed(router.handle(call, { account: 'acme' }))).toMatchObject({
      result: { revision: '2025-06-30' },
    });
    m.upload('acme', {});
    expect(await parsed(router.handle(call, { account: 'acme' }))).toMatchObject({
      error: { code: -32601, message: 'Method not found' },
    });
    expect(m.asked).toEqual(['acme:acme:reboot', 'acme:acme:reboot', 'acme:acme:reboot']);
  });

  it('is never asked for a registered method nor for an rpc. name', async () => {
    const m = modules();
    const router = createRouter({ resolve: m.resolve }).method('ping', { handler: () => 'pong' });
    expect(router.handle(req({ method: 'ping', id: 1 }))).toBe('{"jsonrpc":"2.0","result":"pong","id":1}');
    expect(router.handle(req({ method: 'rpc.discover', id: 2 }))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":2}',
    );
    expect(m.asked).toEqual([]);
  });

  it('may answer asynchronously', async () => {
    const router = createRouter({
      resolve: async (method) => (method === 'later:echo' ? { handler: (p: unknown) => p } : undefined),
    });
    expect(await router.handle(req({ method: 'later:echo', params: [1, 2], id: 1 }))).toBe(
      '{"jsonrpc":"2.0","result":[1,2],"id":1}',
    );
    expect(await router.handle(req({ method: 'later:none', id: 2 }))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":2}',
    );
  });

  it('runs after the middleware: it sees the account they chose, and authorisation (seeing the params) comes first', async () => {
    const m = modules();
    m.upload('globex', { 'acme:reboot': reboot('2024-01-01') });
    const decided: AuthorizationRequest[] = [];
    const router = createRouter({ resolve: m.resolve })
      .use(accountFromParams())
      .use(
        authorization((q) => {
          decided.push(q);
          const device = (q.params as { 'device-id'?: unknown } | undefined)?.['device-id'];
          return device === 'locked' ? deny('device locked') : allow;
        }),
      );
    const params = { account: 'globex', 'device-id': 'd1', delay: 2 };
    expect(
      await parsed(router.handle(req({ method: 'acme:reboot', params, id: 1 }), { account: 'acme' })),
    ).toMatchObject({ result: { device: 'd1' } });
    const locked = { ...params, 'device-id': 'locked' };
    expect(
      await parsed(router.handle(req({ method: 'acme:reboot', params: locked, id: 2 }), { account: 'acme' })),
    ).toMatchObject({ error: { code: -32002, data: { reason: 'device locked' } } });
    expect(decided.map((q) => [q.account, q.method, q.params])).toEqual([
      ['globex', 'acme:reboot', params],
      ['globex', 'acme:reboot', locked],
    ]);
    // the denied call never reached the resolver
    expect(m.asked).toEqual(['globex:acme:reboot']);
  });

  it('answers nothing for a notification of a name it does not know, and logs nothing', async () => {
    const logger = memoryLogger();
    const router = createRouter({ logger, resolve: () => undefined });
    expect(await router.handle(req({ method: 'acme:nothing' }))).toBeUndefined();
    expect(logger.records).toEqual([]);
  });

  it('answers the JsonRpcError a resolver throws, and -32603 (logged) for any other failure or a bad definition', async () => {
    const logger = memoryLogger();
    const router = createRouter({
      logger,
      resolve: (method) => {
        if (method === 'a:refused') throw JsonRpcError.application(-31000, 'module not loaded');
        if (method === 'a:broken') throw new Error('module store down');
        return { handler: 'not a function' } as unknown as MethodDefinition;
      },
    });
    expect(await parsed(router.handle(req({ method: 'a:refused', id: 1 })))).toMatchObject({
      error: { code: -31000, message: 'module not loaded' },
    });
    expect(await parsed(router.handle(req({ method: 'a:broken', id: 2 })))).toMatchObject({ error: { code: -32603 } });
    expect(await parsed(router.handle(req({ method: 'a:bad', id: 3 })))).toMatchObject({ error: { code: -32603 } });
    expect(logger.records.map((r) => [r.level, r.fields.method])).toEqual([
      ['error', 'a:broken'],
      ['error', 'a:bad'],
    ]);
  });

  it('serves resolved and registered calls side by side in one batch, in order', async () => {
    const router = createRouter({
      resolve: async (method) =>
        method === 'x:double' ? { handler: (p: unknown) => (p as number[])[0]! * 2 } : undefined,
    }).method('one', { handler: () => 1 });
    const batch = `[${req({ method: 'x:double', params: [21], id: 'a' })},${req({ method: 'one', id: 'b' })}]`;
    expect(await router.handle(batch)).toBe(
      '[{"jsonrpc":"2.0","result":42,"id":"a"},{"jsonrpc":"2.0","result":1,"id":"b"}]',
    );
  });

  it('refuses a resolve option that is not a function', () => {
    expect(() => createRouter({ resolve: 'modules' as never })).toThrow(
      expect.objectContaining({ code: 'invalid-definition', details: expect.objectContaining({ path: 'resolve' }) }),
    );
  });
});
