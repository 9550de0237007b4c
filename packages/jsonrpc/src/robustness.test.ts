import { memoryLogger } from '@fleetkit/core';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type Effect, predict } from '../test/oracle.ts';
import { createHttpHandler } from './http-handler.ts';
import { isJsonRpcResponse, type JsonRpcResponse } from './protocol.ts';
import { createRouter } from './router.ts';

function world() {
  const effects: Effect[] = [];
  const model = { counter: 0 };
  let counter = 0;
  // the 'fail' method's failures are expected: kept in memory, not printed
  const router = createRouter({ logger: memoryLogger() })
    .method('add', {
      params: v.object({ a: v.number(), b: v.number() }),
      positional: ['a', 'b'],
      handler: ({ a, b }) => {
        effects.push(['add', a, b]);
        return a + b;
      },
    })
    .method('incr', {
      handler: () => {
        effects.push(['incr']);
        counter++;
        return counter;
      },
    })
    .method('fail', {
      handler: () => {
        throw new Error('handler bug');
      },
    })
    .method('later', {
      handler: async (p) => {
        effects.push(['later']);
        return p ?? null;
      },
    });
  return { router, effects, model, counter: () => counter };
}

/** Runs one input through the router and checks it against the model. */
async function check(text: string, w: ReturnType<typeof world>): Promise<void> {
  const before = w.effects.length;
  const want = predict(text, w.model);
  let out: string | undefined;
  try {
    out = await w.router.handle(text);
  } catch (error) {
    throw new Error(`handle threw for ${JSON.stringify(text)}: ${String(error)}`);
  }
  if (want.shape === 'none') expect(out).toBeUndefined();
  else expect(typeof out).toBe('string');
  if (out === undefined) return void expect(w.effects.slice(before)).toEqual(want.effects);
  const got = JSON.parse(out) as JsonRpcResponse | JsonRpcResponse[];
  expect(Array.isArray(got)).toBe(want.shape === 'many');
  const list = Array.isArray(got) ? got : [got];
  expect(list.every(isJsonRpcResponse)).toBe(true);
  expect(list.length).toBe(want.responses.length);
  list.forEach((r, i) => {
    const w_ = want.responses[i]!;
    expect(r.id === w_.id || (r.id === 0 && w_.id === 0)).toBe(true);
    // results travel as JSON: Infinity (1e400 + 1) arrives as null
    if (w_.code === undefined) expect('result' in r && r.result).toEqual(JSON.parse(JSON.stringify(w_.result ?? null)));
    else expect('error' in r && r.error.code).toBe(w_.code);
  });
  // no handler ran for a refused call, and every accepted call ran exactly once
  expect(w.effects.slice(before)).toEqual(want.effects);
  expect(w.counter()).toBe(w.model.counter);
}

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, '2.0', 'add', 'incr', 'fail', 'later', 'nope', '__proto__'),
);
const request = fc.record(
  {
    jsonrpc: fc.oneof({ weight: 4, arbitrary: fc.constant('2.0') }, anyValue),
    method: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('add', 'incr', 'fail', 'later', 'nope', 'rpc.x', 'constructor') },
      anyValue,
    ),
    params: fc.oneof(
      fc.tuple(
        fc.oneof(fc.integer(), fc.string()),
        fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
      ),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.record({ a: fc.oneof(fc.integer(), fc.string()), b: fc.integer() }, { requiredKeys: [] }),
      anyValue,
    ),
    id: fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant(null),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);
const message = fc
  .oneof(request, fc.array(fc.oneof({ weight: 5, arbitrary: request }, anyValue), { maxLength: 6 }), anyValue)
  .map((m) => JSON.stringify(m));
// a number literal pushed beyond the double range (JSON.parse reads 7e400 as Infinity)
const overflowed = message
  .filter((m) => /[:[,]-?\d+[,}\]]/.test(m))
  .map((m) => m.replace(/([:[,]-?\d+)([,}\]])/, '$1e400$2'));
const mutated = fc
  .tuple(
    message,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('del', 'ins', 'set'),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [at, op, ch]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      return op === 'del'
        ? t.slice(0, i) + t.slice(i + 1)
        : op === 'ins'
          ? t.slice(0, i) + ch + t.slice(i)
          : t.slice(0, i) + ch + t.slice(i + 1);
    }, text),
  );

describe('any input gives a valid response or none, and runs exactly the valid calls', () => {
  it('for arbitrary strings', async () => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 64 }), (text) => check(text, w)),
      { numRuns: 400 },
    );
  });

  it('for arbitrary JSON values', async () => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue().map((j) => JSON.stringify(j)),
        (text) => check(text, w),
      ),
      { numRuns: 400 },
    );
  });

  it('for request-shaped messages and batches', async () => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(message, (text) => check(text, w)),
      { numRuns: 600 },
    );
  });

  it('for messages holding a number beyond the double range', async () => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(overflowed, (text) => check(text, w)),
      { numRuns: 300 },
    );
  });

  it('for mutated messages', async () => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(mutated, (text) => check(text, w)),
      { numRuns: 600 },
    );
  });

  it('for arbitrary bytes over HTTP', async () => {
    const w = world();
    const handler = createHttpHandler(w.router);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          message.map((m) => new TextEncoder().encode(m)),
        ),
        async (bytes) => {
          const res = await handler(
            new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes }),
          );
          expect([200, 204]).toContain(res.status);
          const text = await res.text();
          if (res.status === 204) return void expect(text).toBe('');
          const body = JSON.parse(text) as unknown;
          expect(Array.isArray(body) ? body.length > 0 && body.every(isJsonRpcResponse) : isJsonRpcResponse(body)).toBe(
            true,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
