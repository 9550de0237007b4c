// The methods the specification's examples call (§7), shared by the tests,
// the golden vectors and the README server.
import * as v from 'valibot';
import { createRouter, type Router, type RouterOptions } from '../router.ts';

/** The methods {@link specRouter} serves, as a typed client calls them. */
export type SpecMethods = {
  subtract: { params: { minuend: number; subtrahend: number } | readonly unknown[]; result: number };
  sum: { params: number[]; result: number };
  update: { params: unknown[]; result: undefined };
  notify_hello: { params: unknown[]; result: undefined };
  get_data: { params: unknown; result: (string | number)[] };
};

/** What {@link specRouter} returns: the router, and the params of every `update` call it ran. */
export interface SpecRouter {
  readonly router: Router<SpecMethods>;
  readonly updates: unknown[][];
}

/** A router serving `subtract`, `sum`, `update`, `notify_hello` and `get_data`, and what `update` saw. */
export function specRouter(options?: RouterOptions): SpecRouter {
  const updates: unknown[][] = [];
  const router = createRouter(options)
    .method('subtract', {
      params: v.object({ minuend: v.number(), subtrahend: v.number() }),
      positional: ['minuend', 'subtrahend'],
      summary: 'minuend - subtrahend',
      handler: ({ minuend, subtrahend }) => minuend - subtrahend,
    })
    .method('sum', {
      params: v.array(v.number()),
      handler: (xs) => xs.reduce((a, b) => a + b, 0),
    })
    .method('update', {
      params: v.array(v.unknown()),
      handler: (xs) => {
        updates.push(xs);
      },
    })
    .method('notify_hello', { params: v.array(v.unknown()), handler: () => undefined })
    .method('get_data', { handler: () => ['hello', 5] });
  return { router, updates };
}
