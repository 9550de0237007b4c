import type { CallContext } from './context.ts';

/**
 * Wraps every call to a registered method. Call `next()` to go on (it returns
 * the result, or a promise of it), return a value to answer instead, or throw
 * a `JsonRpcError` to answer an error.
 */
export type Middleware = (ctx: CallContext, next: () => unknown) => unknown;

/** Runs `final` behind `middleware`, outermost first. */
export function runMiddleware(
  middleware: readonly Middleware[],
  ctx: CallContext,
  final: (ctx: CallContext) => unknown,
): unknown {
  const step = (i: number): unknown => {
    const m = middleware[i];
    return m === undefined ? final(ctx) : m(ctx, () => step(i + 1));
  };
  return step(0);
}

/** One middleware running `middleware` in order, for packages that ship a stack as one piece. */
export function composeMiddleware(...middleware: Middleware[]): Middleware {
  const list = [...middleware];
  return (ctx, next) => runMiddleware(list, ctx, () => next());
}
