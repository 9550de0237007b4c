import { memoryLogger } from '@fleetkit/core';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { JsonRpcError } from './errors.ts';
import { createRouter } from './router.ts';

const req = (o: Record<string, unknown>): string => JSON.stringify({ jsonrpc: '2.0', ...o });

describe('router envelope (specification §4, §5)', () => {
  const router = createRouter().method('echo', { handler: (p) => p });

  it.each([
    ['a string id', 'abc', '"abc"'],
    ['a number id', 7, '7'],
    ['a fractional id', 1.5, '1.5'],
    ['a null id', null, 'null'],
  ])('echoes %s unchanged', (_, id, text) => {
    expect(router.handle(req({ method: 'echo', params: [1], id }))).toBe(`{"jsonrpc":"2.0","result":[1],"id":${text}}`);
  });

  it.each([
    ['"jsonrpc" missing', { method: 'echo', id: 1 }],
    ['"jsonrpc" "2"', { jsonrpc: '2', method: 'echo', id: 1 }],
    ['"jsonrpc" 2.0 as a number', { jsonrpc: 2.0, method: 'echo', id: 1 }],
    ['"jsonrpc" "2.0 "', { jsonrpc: '2.0 ', method: 'echo', id: 1 }],
    ['"method" missing', { jsonrpc: '2.0', id: 1 }],
    ['"method" null', { jsonrpc: '2.0', method: null, id: 1 }],
    ['"params" a string', { jsonrpc: '2.0', method: 'echo', params: 'x', id: 1 }],
    ['"params" null', { jsonrpc: '2.0', method: 'echo', params: null, id: 1 }],
    ['"params" a number', { jsonrpc: '2.0', method: 'echo', params: 3, id: 1 }],
  ])('answers Invalid Request with the id when %s', (_, message) => {
    expect(router.handle(JSON.stringify(message))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":1}',
    );
  });

  it.each([
    ['an object id', { jsonrpc: '2.0', method: 'echo', id: {} }],
    ['an array id', { jsonrpc: '2.0', method: 'echo', id: [1] }],
    ['a boolean id', { jsonrpc: '2.0', method: 'echo', id: true }],
    ['a number id too large to echo (1e400)', '{"jsonrpc":"2.0","method":"echo","id":1e400}'],
    ['no id and a bad "jsonrpc"', { jsonrpc: '1.0', method: 'echo' }],
  ])('answers Invalid Request with id null for %s', (_, message) => {
    expect(router.handle(typeof message === 'string' ? message : JSON.stringify(message))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}',
    );
  });

  it.each(['null', '1', '"text"', 'true'])('answers Invalid Request for the JSON value %s', (text) => {
    expect(router.handle(text)).toBe('{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}');
  });

  it.each(['', ' ', '{', '{"jsonrpc":"2.0",}', 'NaN', '\u0000'])('answers Parse error for %j', (text) => {
    expect(router.handle(text)).toBe('{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'does not find the inherited name %s as a method',
    (method) => {
      expect(router.handle(req({ method, id: 1 }))).toBe(
        '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1}',
      );
    },
  );

  it('ignores members the specification does not define', () => {
    expect(router.handle(req({ method: 'echo', params: {}, id: 1, extra: true }))).toBe(
      '{"jsonrpc":"2.0","result":{},"id":1}',
    );
  });

  it('answers synchronously when the handler is synchronous, and with a promise when it is not', async () => {
    const r = createRouter().method('later', { handler: async () => 2 });
    expect(typeof router.handle(req({ method: 'echo', id: 1 }))).toBe('string');
    const pending = r.handle(req({ method: 'later', id: 1 }));
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe('{"jsonrpc":"2.0","result":2,"id":1}');
  });

  it('sends a result of undefined as null, since "result" is required', () => {
    const r = createRouter().method('nothing', { handler: () => undefined });
    expect(r.handle(req({ method: 'nothing', id: 1 }))).toBe('{"jsonrpc":"2.0","result":null,"id":1}');
  });
});

describe('router errors from handlers', () => {
  it('answers an application error with its code, message and data', () => {
    const r = createRouter().method('fail', {
      handler: () => {
        throw JsonRpcError.application(42, 'object-exists', { name: 'acme' });
      },
    });
    expect(r.handle(req({ method: 'fail', id: 1 }))).toBe(
      '{"jsonrpc":"2.0","error":{"code":42,"message":"object-exists","data":{"name":"acme"}},"id":1}',
    );
  });

  it('hides a plain thrown error behind -32603 and logs it with the request id', async () => {
    const logger = memoryLogger();
    const r = createRouter({ logger }).method('boom', {
      handler: async () => {
        throw new Error('secret detail');
      },
    });
    const out = await r.handle(req({ method: 'boom', id: 1 }), { requestId: 'rq-1' });
    expect(out).toBe('{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}');
    expect(logger.records).toMatchObject([{ level: 'error', fields: { method: 'boom', requestId: 'rq-1' } }]);
  });

  it('logs a failing handler without being given a logger: one JSON line on stderr', async () => {
    const lines: unknown[] = [];
    // the default logger writes through console.error, the console's error stream on every runtime
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      lines.push(line);
    });
    try {
      const r = createRouter().method('boom', {
        handler: () => {
          throw new Error('disk full');
        },
      });
      const out = r.handle(req({ method: 'boom', id: 1 }), { requestId: 'rq-default' });
      expect(out).toBe('{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}');
    } finally {
      spy.mockRestore();
    }
    expect(lines.map((line) => JSON.parse(String(line)))).toEqual([
      {
        level: 'error',
        msg: 'JSON-RPC handler failed',
        method: 'boom',
        requestId: 'rq-default',
        error: { name: 'Error', message: 'disk full' },
      },
    ]);
  });

  it('lets a handler refuse its params with JsonRpcError.invalidParams', () => {
    const r = createRouter().method('exodm:lookup-device', {
      handler: (p) => {
        throw JsonRpcError.invalidParams([{ path: ['device-id'], message: 'No such device' }], p);
      },
    });
    expect(
      JSON.parse(r.handle(req({ method: 'exodm:lookup-device', params: { 'device-id': 'x9' }, id: 1 })) as string),
    ).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32602,
        message: 'Invalid params',
        data: { issues: [{ path: ['device-id'], expected: null, got: '"x9"', message: 'No such device' }] },
      },
      id: 1,
    });
  });

  it('fills an invalidParams issue with defaults: the params themselves, nothing expected, got unknown', () => {
    const error = JsonRpcError.invalidParams([
      { message: 'Give a device or a group, not both', expected: 'one of them' },
    ]);
    expect([error.code, error.rpcCode, error.data]).toEqual([
      'invalid-params',
      -32602,
      {
        issues: [{ path: [], expected: 'one of them', got: 'unknown', message: 'Give a device or a group, not both' }],
      },
    ]);
  });

  it('answers -32603 for a result JSON cannot carry', () => {
    const r = createRouter({ logger: memoryLogger() }).method('big', { handler: () => 1n });
    expect(r.handle(req({ method: 'big', id: 1 }))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}',
    );
  });

  it('never answers a notification, even when its handler fails or the method is unknown', async () => {
    const logger = memoryLogger();
    const r = createRouter({ logger }).method('boom', {
      handler: () => {
        throw new Error('x');
      },
    });
    expect(r.handle(req({ method: 'boom' }))).toBeUndefined();
    expect(r.handle(req({ method: 'missing' }))).toBeUndefined();
    expect(r.handle(req({ method: 'boom', params: 'not structured' }))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}',
    );
    expect(logger.records.map((x) => x.level)).toEqual(['warn']);
  });

  it('refuses application error codes inside the reserved range', () => {
    expect(() => JsonRpcError.application(-32000, 'x')).toThrow(
      expect.objectContaining({ code: 'invalid-definition' }),
    );
    expect(() => JsonRpcError.application(-32768, 'x')).toThrow(JsonRpcError);
  });
});

describe('router batches (specification §6)', () => {
  it('keeps the order of the calls when handlers finish out of order', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const r = createRouter()
      .method('slow', {
        handler: async () => {
          await gate;
          return 'slow';
        },
      })
      .method('fast', { handler: () => 'fast' });
    const pending = r.handle(`[${req({ method: 'slow', id: 1 })},${req({ method: 'fast', id: 2 })}]`);
    release();
    expect(JSON.parse((await pending) as string)).toEqual([
      { jsonrpc: '2.0', result: 'slow', id: 1 },
      { jsonrpc: '2.0', result: 'fast', id: 2 },
    ]);
  });

  it('answers a batch longer than maxBatch with one -32000 error and runs none of it', () => {
    let calls = 0;
    const r = createRouter({ maxBatch: 2 }).method('count', { handler: () => ++calls });
    const three = `[${[1, 2, 3].map((id) => req({ method: 'count', id })).join(',')}]`;
    expect(r.handle(three)).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Batch too large","data":{"limit":2,"got":3}},"id":null}',
    );
    expect(calls).toBe(0);
  });

  it('answers a nested array inside a batch as one Invalid Request', () => {
    const r = createRouter();
    expect(r.handle('[[]]')).toBe('[{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}]');
  });
});

describe('router registration', () => {
  it.each<[string, string, object]>([
    ['an empty name', '', { handler: () => 1 }],
    ['a reserved rpc. name', 'rpc.secret', { handler: () => 1 }],
    ['no handler', 'x', {}],
    ['params that are not a schema', 'x', { params: { type: 'object' }, handler: () => 1 }],
    ['positional names repeated', 'x', { positional: ['a', 'a'], handler: () => 1 }],
  ])('refuses %s with invalid-definition and a path', (_, name, def) => {
    const r = createRouter();
    expect(() => r.method(name, def as never)).toThrow(
      expect.objectContaining({
        code: 'invalid-definition',
        details: expect.objectContaining({ path: expect.any(String) }),
      }),
    );
    expect(r.definitions().size).toBe(0);
  });

  it('refuses a second method of the same name and keeps the first', () => {
    const r = createRouter().method('x', { handler: () => 1 });
    expect(() => r.method('x', { handler: () => 2 })).toThrow(expect.objectContaining({ code: 'invalid-definition' }));
    expect(r.handle(req({ method: 'x', id: 1 }))).toBe('{"jsonrpc":"2.0","result":1,"id":1}');
  });

  it('keeps the definition as registered when the caller changes its object later', () => {
    const def = { handler: () => 'original', positional: ['a'] };
    const r = createRouter().method('x', def);
    def.handler = () => 'swapped';
    def.positional.push('b');
    expect(r.handle(req({ method: 'x', id: 1 }))).toBe('{"jsonrpc":"2.0","result":"original","id":1}');
    expect(r.definitions().get('x')?.positional).toEqual(['a']);
  });

  it('refuses middleware that is not a function', () => {
    expect(() => createRouter().use('auth' as never)).toThrow(expect.objectContaining({ code: 'invalid-definition' }));
  });

  it('types handler params from the schema', () => {
    const r = createRouter().method('typed', { params: v.object({ n: v.number() }), handler: ({ n }) => n + 1 });
    expect(r.handle(req({ method: 'typed', params: { n: 1 }, id: 1 }))).toBe('{"jsonrpc":"2.0","result":2,"id":1}');
  });
});

describe('options', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses maxBatch %s with the option named', (maxBatch) => {
    expect(() => createRouter({ maxBatch })).toThrow(
      expect.objectContaining({ code: 'invalid-definition', details: expect.objectContaining({ path: 'maxBatch' }) }),
    );
  });
});
