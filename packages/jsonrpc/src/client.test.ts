import { ManualClock } from '@fleetkit/core';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createClient } from './client.ts';
import { JsonRpcError } from './errors.ts';
import { createHttpHandler } from './http-handler.ts';
import { createRouter, type MethodsOf } from './router.ts';
import { specRouter } from './testing/spec-methods.ts';

const url = 'http://server.test/rpc';

describe('client against the HTTP handler in-process', () => {
  const { router, updates } = specRouter();
  const client = createClient<MethodsOf<typeof router>>({ url, fetch: createHttpHandler(router) });

  it('is typed by the router it calls', () => {
    expectTypeOf(client.call('subtract', { minuend: 1, subtrahend: 2 })).resolves.toEqualTypeOf<number>();
    expectTypeOf(client.call('get_data')).resolves.toEqualTypeOf<(string | number)[]>();
    // @ts-expect-error: no such method on this router
    void client.call('nope').catch(() => undefined);
    // @ts-expect-error: params of the wrong type
    void client.call('subtract', { minuend: 'one', subtrahend: 2 }).catch(() => undefined);
  });

  it('calls with positional and named params', async () => {
    expect(await client.call('subtract', [42, 23])).toBe(19);
    expect(await client.call('subtract', { minuend: 1, subtrahend: 2 })).toBe(-1);
  });

  it('sends notifications that the server runs and does not answer', async () => {
    await client.notify('update', [9]);
    expect(updates).toContainEqual([9]);
  });

  it('rejects with the server error as a JsonRpcError', async () => {
    const error = await client.call('sum', ['x'] as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({
      code: 'invalid-params',
      rpcCode: -32602,
      data: { issues: [{ path: [0], expected: 'number', got: '"x"' }] },
    });
    await expect(createClient({ url, fetch: createHttpHandler(router) }).call('nope')).rejects.toMatchObject({
      code: 'method-not-found',
      rpcCode: -32601,
    });
  });

  it('sends a batch and returns outcomes in the order sent', async () => {
    const out = await client.batch([
      { method: 'sum', params: [1, 2, 4] },
      { method: 'notify_hello', params: [7], notify: true },
      { method: 'foo.get', params: { name: 'myself' } },
      { method: 'get_data' },
    ]);
    expect(out[0]).toEqual({ ok: true, result: 7 });
    expect(out[1]).toBeUndefined();
    expect(out[2]).toMatchObject({ ok: false, error: { code: 'method-not-found' } });
    expect(out[3]).toEqual({ ok: true, result: ['hello', 5] });
  });

  it('resolves an all-notification batch to undefineds (the server sends 204)', async () => {
    expect(await client.batch([{ method: 'update', params: [1], notify: true }])).toEqual([undefined]);
  });

  it('refuses an empty batch before sending it', async () => {
    await expect(client.batch([])).rejects.toMatchObject({ code: 'invalid-definition' });
  });
});

describe('client deadlines and failures', () => {
  const never = createRouter().method('hang', { params: v.unknown(), handler: () => new Promise<never>(() => {}) });

  it('times out on the injected clock', async () => {
    const clock = new ManualClock();
    const client = createClient({ url, fetch: createHttpHandler(never), clock, timeoutMs: 1_000 });
    let settled = false;
    const call = client
      .call('hang')
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    clock.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await call).toMatchObject({ code: 'timeout', details: { timeoutMs: 1_000 } });
  });

  it('takes a per-call deadline over the client one', async () => {
    const clock = new ManualClock();
    const client = createClient({ url, fetch: createHttpHandler(never), clock, timeoutMs: 0 });
    const call = client.call('hang', undefined, { timeoutMs: 5 }).catch((e: unknown) => e);
    clock.advance(5);
    expect(await call).toMatchObject({ code: 'timeout' });
  });

  it("rejects with the caller's abort reason", async () => {
    const controller = new AbortController();
    const client = createClient({ url, fetch: createHttpHandler(never), timeoutMs: 0 });
    const call = client.call('hang', undefined, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('user gave up'));
    expect(await call).toMatchObject({ message: 'user gave up' });
  });

  it('reports an HTTP status without a JSON-RPC body as http-status', async () => {
    const client = createClient({ url, fetch: async () => new Response('bad gateway', { status: 502 }) });
    await expect(client.call('x')).rejects.toMatchObject({
      code: 'http-status',
      details: { status: 502, body: 'bad gateway' },
    });
  });

  it('reports a 401 as unauthenticated', async () => {
    const router = createRouter().method('x', { handler: () => 1 });
    const handler = createHttpHandler(router, {
      authenticate: { challenge: 'Basic realm="x"', authenticate: async () => undefined },
    });
    await expect(createClient({ url, fetch: handler }).call('x')).rejects.toMatchObject({
      code: 'unauthenticated',
      rpcCode: -32001,
    });
  });

  it('reports an answer that is not JSON-RPC as bad-response', async () => {
    for (const body of ['<html>', '{"result":1,"id":1}', '{"jsonrpc":"2.0","result":1,"id":999}']) {
      const client = createClient({ url, fetch: async () => new Response(body, { status: 200 }) });
      await expect(client.call('x')).rejects.toMatchObject({ code: 'bad-response' });
    }
  });

  it('reports a transport failure as transport-failed with its cause', async () => {
    const client = createClient({ url, fetch: async () => Promise.reject(new TypeError('connection refused')) });
    const error = (await client.call('x').catch((e: unknown) => e)) as JsonRpcError;
    expect(error.code).toBe('transport-failed');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('sends basic-auth credentials and extra headers', async () => {
    let seen: Headers | undefined;
    const client = createClient({
      url,
      auth: { user: 'test', password: '123£' },
      headers: { 'x-request-id': 'r1' },
      fetch: async (request) => {
        seen = request.headers;
        return new Response('{"jsonrpc":"2.0","result":null,"id":1}');
      },
    });
    await client.call('x');
    expect(seen?.get('authorization')).toBe('Basic dGVzdDoxMjPCow==');
    expect(seen?.get('x-request-id')).toBe('r1');
    expect(seen?.get('content-type')).toBe('application/json');
  });
});

describe('client options', () => {
  it.each([['not a url'], ['ftp://x/'], ['/relative']])('refuses the url %s', (bad) => {
    expect(() => createClient({ url: bad })).toThrow(
      expect.objectContaining({ code: 'invalid-definition', details: expect.objectContaining({ path: 'url' }) }),
    );
  });

  it('refuses a negative deadline, for the client and for one call', async () => {
    expect(() => createClient({ url, timeoutMs: -1 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'timeoutMs' }) }),
    );
    await expect(createClient({ url }).call('x', undefined, { timeoutMs: Number.NaN })).rejects.toMatchObject({
      code: 'invalid-definition',
    });
  });
});

describe('client against arbitrary answers', () => {
  it('resolves or rejects with a JsonRpcError, whatever the server sends', async () => {
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue().map((j) => JSON.stringify(j)),
      fc
        .record(
          {
            jsonrpc: fc.constantFrom('2.0', '1.0'),
            id: fc.oneof(fc.constant(1), fc.constant(null), fc.string()),
            result: fc.jsonValue(),
          },
          { requiredKeys: [] },
        )
        .map((j) => JSON.stringify(j)),
      fc
        .record({ code: fc.integer(), message: fc.string(), data: fc.jsonValue() }, { requiredKeys: [] })
        .map((e) => JSON.stringify({ jsonrpc: '2.0', error: e, id: 1 })),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(200, 204, 400, 401, 500), async (text, status) => {
        const client = createClient({ url, fetch: async () => new Response(status === 204 ? null : text, { status }) });
        for (const attempt of [
          () => client.call('m'),
          () => client.batch([{ method: 'm' }, { method: 'n', notify: true }]),
          () => client.notify('m'),
        ]) {
          const outcome = await attempt().then(
            () => 'resolved',
            (e: unknown) => e,
          );
          if (outcome !== 'resolved') expect(outcome).toBeInstanceOf(JsonRpcError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
