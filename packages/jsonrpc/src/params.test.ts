import { memoryLogger } from '@fleetkit/core';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createRouter } from './router.ts';
import type { StandardSchemaV1 } from './standard-schema.ts';

const call = (params: unknown): string => JSON.stringify({ jsonrpc: '2.0', method: 'm', params, id: 1 });
const issuesOf = async (out: unknown): Promise<unknown> =>
  (JSON.parse((await out) as string) as { error: { data: { issues: unknown } } }).error.data.issues;

describe('params validated by a valibot schema', () => {
  const router = createRouter().method('m', {
    params: v.object({ device: v.object({ id: v.pipe(v.string(), v.minLength(1)) }), tags: v.array(v.string()) }),
    handler: (p) => p.device.id,
  });

  it('answers -32602 with the path, expected and got of each issue', async () => {
    const out = router.handle(call({ device: { id: '' }, tags: ['a', 3] }));
    expect(JSON.parse((await out) as string)).toMatchObject({
      error: { code: -32602, message: 'Invalid params' },
      id: 1,
    });
    expect(await issuesOf(out)).toEqual([
      { path: ['device', 'id'], expected: '>=1', got: '0', message: 'Invalid length: Expected >=1 but received 0' },
      { path: ['tags', 1], expected: 'string', got: '3', message: 'Invalid type: Expected string but received 3' },
    ]);
  });

  it('reports a missing member as got undefined', async () => {
    expect(await issuesOf(router.handle(call({ tags: [] })))).toEqual([
      {
        path: ['device'],
        expected: '"device"',
        got: 'undefined',
        message: 'Invalid key: Expected "device" but received undefined',
      },
    ]);
  });

  it('reports params of the wrong structure at the root path', async () => {
    const byPosition = createRouter().method('m', { params: v.tuple([v.number()]), handler: ([n]) => n });
    expect(await issuesOf(byPosition.handle(call({ n: 1 })))).toEqual([
      { path: [], expected: 'Array', got: 'Object', message: 'Invalid type: Expected Array but received Object' },
    ]);
  });

  it('hands the handler the schema output, not the raw params', () => {
    const r = createRouter().method('m', {
      params: v.object({ n: v.pipe(v.string(), v.transform(Number)) }),
      handler: (p) => p.n + 1,
    });
    expect(r.handle(call({ n: '41' }))).toBe('{"jsonrpc":"2.0","result":42,"id":1}');
  });
});

describe('positional params mapped onto names (specification §4.2)', () => {
  const router = createRouter().method('m', {
    params: v.object({ a: v.number(), b: v.optional(v.number(), 10) }),
    positional: ['a', 'b'],
    handler: ({ a, b }) => a - b,
  });

  it('accepts both structures', () => {
    expect(router.handle(call([5, 3]))).toBe('{"jsonrpc":"2.0","result":2,"id":1}');
    expect(router.handle(call({ b: 3, a: 5 }))).toBe('{"jsonrpc":"2.0","result":2,"id":1}');
    expect(router.handle(call([20]))).toBe('{"jsonrpc":"2.0","result":10,"id":1}');
  });

  it('answers -32602 for more positions than names', async () => {
    expect(await issuesOf(router.handle(call([1, 2, 3])))).toEqual([
      {
        path: [2],
        expected: 'at most 2 positional params (a, b)',
        got: '3 params, extra 3',
        message: 'Too many positional params: expected at most 2',
      },
    ]);
  });

  it('reports issues at the position the caller used', async () => {
    expect(await issuesOf(router.handle(call([1, 'x'])))).toEqual([
      { path: [1], expected: 'number', got: '"x"', message: 'Invalid type: Expected number but received "x"' },
    ]);
    expect(await issuesOf(router.handle(call({ a: 1, b: 'x' })))).toMatchObject([{ path: ['b'] }]);
  });

  it('validates absent params as an empty object', async () => {
    const out = JSON.stringify({ jsonrpc: '2.0', method: 'm', id: 1 });
    expect(await issuesOf(router.handle(out))).toMatchObject([{ path: ['a'] }]);
  });
});

describe('a second schema kind (Standard Schema v1, as the yang package provides)', () => {
  const deviceId: StandardSchemaV1<unknown, { 'device-id': string }> = {
    '~standard': {
      version: 1,
      vendor: 'fleetkit-yang',
      validate: async (value) => {
        const id = (value as Record<string, unknown> | undefined)?.['device-id'];
        if (typeof id === 'string' && id.length <= 32) return { value: { 'device-id': id } };
        return { issues: [{ message: 'leaf device-id: string 1..32', path: [{ key: 'device-id' }] }] };
      },
    },
  };
  const router = createRouter().method('exodemo:beep', { params: deviceId, handler: (p) => p['device-id'] });

  it('runs an async validator and hands over its value', async () => {
    expect(
      await router.handle(
        JSON.stringify({ jsonrpc: '2.0', method: 'exodemo:beep', params: { 'device-id': 'demo-1' }, id: 1 }),
      ),
    ).toBe('{"jsonrpc":"2.0","result":"demo-1","id":1}');
  });

  it('maps its issues with expected null and got described from the params', async () => {
    const out = router.handle(
      JSON.stringify({ jsonrpc: '2.0', method: 'exodemo:beep', params: { 'device-id': 12 }, id: 1 }),
    );
    expect(await issuesOf(out)).toEqual([
      { path: ['device-id'], expected: null, got: '12', message: 'leaf device-id: string 1..32' },
    ]);
  });

  it('keeps expected and received when the issues carry them', async () => {
    const typed: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'x',
        validate: () => ({ issues: [{ message: 'm', path: ['p'], expected: 'uint8', received: '300' }] }),
      },
    };
    const r = createRouter().method('m', { params: typed, handler: () => 1 });
    expect(await issuesOf(r.handle(call({ p: 300 })))).toEqual([
      { path: ['p'], expected: 'uint8', got: '300', message: 'm' },
    ]);
  });

  it('answers -32603 when the validator itself throws', async () => {
    const broken: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'x',
        validate: () => {
          throw new TypeError('bug');
        },
      },
    };
    const logger = memoryLogger();
    const r = createRouter({ logger }).method('m', { params: broken, handler: () => 1 });
    expect(r.handle(call({}))).toBe('{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}');
    expect(logger.records.map((x) => [x.level, x.fields.method])).toEqual([['error', 'm']]);
  });
});

describe('numbers beyond the double range', () => {
  const router = createRouter()
    .method('m', {
      params: v.object({ limit: v.number(), nested: v.optional(v.array(v.number())) }),
      handler: (p) => p,
    })
    .method('pair', {
      params: v.object({ a: v.number(), b: v.number() }),
      positional: ['a', 'b'],
      handler: ({ a, b }) => a + b,
    })
    .method('raw', { handler: (p) => p });
  const issue = (path: (string | number)[], got: string) => ({
    path,
    expected: 'a number within the double range (magnitude at most 1.7976931348623157e308)',
    got,
    message: 'Number out of range: it exceeds the largest double and would be read as Infinity',
  });

  it('refuses 1e999 as invalid params naming its path, though JSON.parse reads it as Infinity', async () => {
    const out = router.handle('{"jsonrpc":"2.0","method":"m","params":{"limit":1e999},"id":1}');
    expect(JSON.parse((await out) as string)).toMatchObject({
      error: { code: -32602, message: 'Invalid params' },
      id: 1,
    });
    expect(await issuesOf(out)).toEqual([issue(['limit'], 'Infinity')]);
  });

  it('finds one deep in the params, negative, and written without an exponent', async () => {
    const huge = `-1${'0'.repeat(400)}`;
    const out = router.handle(`{"jsonrpc":"2.0","method":"m","params":{"limit":1,"nested":[2,${huge}]},"id":1}`);
    expect(await issuesOf(out)).toEqual([issue(['nested', 1], '-Infinity')]);
  });

  it('names the position the caller used for positional params', async () => {
    const out = router.handle('{"jsonrpc":"2.0","method":"pair","params":[1,1.5E+400],"id":1}');
    expect(await issuesOf(out)).toEqual([issue([1], 'Infinity')]);
  });

  it('finds one nested deeper than the quick check goes', async () => {
    const deep = `${'['.repeat(300)}1e400${']'.repeat(300)}`;
    const out = router.handle(`{"jsonrpc":"2.0","method":"m","params":{"limit":1,"nested":${deep}},"id":1}`);
    expect(await issuesOf(out)).toEqual([issue(['nested', ...Array.from({ length: 300 }, () => 0)], 'Infinity')]);
  });

  it('leaves the params of a method without a schema as JSON.parse read them', () => {
    expect(router.handle('{"jsonrpc":"2.0","method":"raw","params":[1e400],"id":1}')).toBe(
      '{"jsonrpc":"2.0","result":[null],"id":1}',
    );
  });

  it('accepts the largest double, a long fraction and such text in strings', () => {
    const text =
      '{"jsonrpc":"2.0","method":"raw","params":{"max":1.7976931348623157e308,"tiny":1e-999,"s":"1e999","f":0.' +
      `${'1'.repeat(300)}},"id":1}`;
    expect(JSON.parse(router.handle(text) as string)).toEqual({
      jsonrpc: '2.0',
      result: { max: 1.7976931348623157e308, tiny: 0, s: '1e999', f: 0.1111111111111111 },
      id: 1,
    });
  });
});
