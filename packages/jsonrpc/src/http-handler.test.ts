import { CoreError, FleetkitError, memoryLogger } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { basicAuth, basicAuthHeader, staticCredentials } from './basic-auth.ts';
import type { CallContext } from './context.ts';
import { createHttpHandler } from './http-handler.ts';
import { createRouter } from './router.ts';
import { specRouter } from './testing/spec-methods.ts';

const URL_ = 'http://server.test/exodm/rpc';
const post = (
  body: BodyInit | null,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Request => new Request(URL_, { method: 'POST', headers, body });

describe('HTTP handler', () => {
  const { router } = specRouter();
  const handler = createHttpHandler(router, { maxBodyBytes: 256 });

  it('answers a call with 200 and the JSON-RPC response', async () => {
    const res = await handler(post('{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"jsonrpc":"2.0","result":19,"id":1}');
  });

  it('answers notification-only input with 204 and no body', async () => {
    const res = await handler(
      post('[{"jsonrpc":"2.0","method":"update","params":[1]},{"jsonrpc":"2.0","method":"notify_hello","params":[7]}]'),
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it.each(['GET', 'PUT', 'DELETE', 'OPTIONS'])('refuses %s with 405 and Allow: POST', async (method) => {
    const res = await handler(new Request(URL_, { method }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['no content type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a non-UTF-8 charset', { 'content-type': 'application/json; charset=iso-8859-1' }],
    ['a gzip content coding', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
  ])('refuses %s with 415', async (_, headers) => {
    const res = await handler(post('{}', headers as Record<string, string>));
    expect(res.status).toBe(415);
  });

  it.each([['application/json; charset=utf-8'], ['Application/JSON; Charset="UTF-8"']])(
    'accepts the content type %s',
    async (type) => {
      const res = await handler(post('{"jsonrpc":"2.0","method":"get_data","id":1}', { 'content-type': type }));
      expect(res.status).toBe(200);
    },
  );

  it('refuses a body over the limit with 413, by its declared length', async () => {
    // the body itself is small: only the header can have caused the 413
    const res = await handler(post('{}', { 'content-type': 'application/json', 'content-length': '300' }));
    expect(res.status).toBe(413);
  });

  it('refuses a streamed body over the limit with 413 without reading all of it', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(100).fill(0x20));
        if (pulled === 50) controller.close();
      },
    });
    const res = await handler(
      new Request(URL_, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(50);
  });

  it('answers a body that is not UTF-8 with Parse error', async () => {
    const res = await handler(post(new Uint8Array([0x7b, 0xff, 0x7d])));
    expect(await res.text()).toBe('{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}');
  });

  it('refuses a body limit that is not a positive integer', () => {
    expect(() => createHttpHandler(router, { maxBodyBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-definition' }),
    );
  });

  it('answers an empty body with Parse error', async () => {
    expect(await (await handler(post(null))).text()).toContain('-32700');
  });

  it('answers 400 for a body that breaks off, and logs it with the request id', async () => {
    const logger = memoryLogger();
    const logged = createHttpHandler(router, { logger });
    const broken = new Error('connection reset by peer');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"jsonrpc":"2.0",'));
        controller.error(broken);
      },
    });
    const res = await logged(
      new Request(URL_, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'rq-cut' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('rq-cut');
    expect(await res.text()).toBe('Bad Request: the body could not be read (request id rq-cut)');
    expect(logger.records).toEqual([
      {
        level: 'warn',
        message: 'JSON-RPC request body could not be read',
        fields: { requestId: 'rq-cut', error: broken },
      },
    ]);
  });
});

describe('HTTP handler with basic auth', () => {
  const seen: CallContext[] = [];
  const router = createRouter().method('whoami', {
    handler: (_p, ctx) => {
      seen.push(ctx);
      return ctx.user;
    },
  });
  const handler = createHttpHandler(router, {
    authenticate: basicAuth({
      realm: 'exodm',
      verify: staticCredentials({ 'exodm-admin': { password: 'exodm', account: 'exodm' } }),
    }),
  });
  const body = '{"jsonrpc":"2.0","method":"whoami","id":1}';

  it('answers 401 with WWW-Authenticate and a -32001 body when credentials are missing or wrong', async () => {
    for (const headers of [{}, { authorization: basicAuthHeader('exodm-admin', 'nope') }]) {
      const res = await handler(post(body, { 'content-type': 'application/json', ...headers }));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="exodm", charset="UTF-8"');
      expect(await res.text()).toBe('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Unauthenticated"},"id":null}');
    }
    expect(seen).toEqual([]);
  });

  it('answers 500, not 401, when the authenticator itself fails', async () => {
    const broken = createHttpHandler(router, {
      logger: memoryLogger(),
      authenticate: {
        challenge: 'Basic realm="x"',
        authenticate: async () => {
          throw new Error('user store unreachable');
        },
      },
    });
    const res = await broken(post(body));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null}');
  });

  it('answers 401 with the code and message of a FleetkitError that verify throws', async () => {
    // as rbac's account selection refuses a user of several accounts who named none
    class AccountError extends FleetkitError<'account-not-specified'> {}
    const refusing = createHttpHandler(router, {
      authenticate: basicAuth({
        realm: 'exodm',
        verify: () => {
          throw new AccountError(
            'account-not-specified',
            'Cannot choose an account for "bob": pass an "account" param',
            {
              details: { got: ['acme', 'globex'] },
            },
          );
        },
      }),
      logger: memoryLogger(),
    });
    const res = await refusing(
      post(body, { 'content-type': 'application/json', authorization: basicAuthHeader('bob', 'pw') }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="exodm", charset="UTF-8"');
    // the details (here: the user's accounts) stay on the server
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32001,
        message: 'Unauthenticated',
        data: {
          code: 'account-not-specified',
          message: 'Cannot choose an account for "bob": pass an "account" param',
        },
      },
      id: null,
    });
  });

  it('answers 500 and logs it with the request id when verify fails with a CoreError (a store, not a judgement)', async () => {
    const logger = memoryLogger();
    const failure = new CoreError('sql-failed', 'Cannot run the query: connection refused');
    const failing = createHttpHandler(router, {
      authenticate: basicAuth({
        realm: 'exodm',
        verify: () => {
          throw failure;
        },
      }),
      logger,
    });
    const res = await failing(
      post(body, {
        'content-type': 'application/json',
        authorization: basicAuthHeader('bob', 'pw'),
        'x-request-id': 'rq-store',
      }),
    );
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('rq-store');
    expect(logger.records).toEqual([
      { level: 'error', message: 'JSON-RPC authentication failed', fields: { requestId: 'rq-store', error: failure } },
    ]);
  });

  it('ignores an X-Request-Id that is too long or not printable', async () => {
    const auth = { 'content-type': 'application/json', authorization: basicAuthHeader('exodm-admin', 'exodm') };
    await handler(post(body, { ...auth, 'x-request-id': 'x'.repeat(129) }));
    await handler(post(body, { ...auth, 'x-request-id': 'a b' }));
    const ids = seen.slice(-2).map((c) => c.requestId);
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  });

  it('hands the principal and the X-Request-Id to the call context', async () => {
    const res = await handler(
      post(body, {
        'content-type': 'application/json',
        authorization: basicAuthHeader('exodm-admin', 'exodm'),
        'x-request-id': 'rq-7',
      }),
    );
    expect(await res.text()).toBe('{"jsonrpc":"2.0","result":"exodm-admin","id":1}');
    expect([seen.at(-1)].map((c) => [c?.user, c?.account, c?.requestId])).toEqual([['exodm-admin', 'exodm', 'rq-7']]);
  });
});
