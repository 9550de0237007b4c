import type { CallContext } from './context.ts';
import { JsonRpcError } from './errors.ts';
import type { InferInput, InferOutput, StandardSchemaV1 } from './standard-schema.ts';

/** The handler of a method: validated params in, result (or a promise of it) out. */
export type Handler<P, R> = (params: P, ctx: CallContext) => R | Promise<R>;

/** A method registered on a router. */
export interface MethodDefinition<S extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined, R = unknown> {
  /** Validates the params (valibot or any Standard Schema v1); absent: params reach the handler unchecked. */
  readonly params?: S;
  /**
   * Names of the params in position order: an array of params is turned into
   * an object with these keys before validation, so one method accepts both
   * `[42, 23]` and `{"minuend": 42, "subtrahend": 23}` (specification §4.2).
   * Absent params then validate as `{}`.
   */
  readonly positional?: readonly string[];
  /** Describes the result, for `rpc.discover` only (results are not validated). */
  readonly result?: StandardSchemaV1;
  /** One line for `rpc.discover`. */
  readonly summary?: string;
  /** Longer text for `rpc.discover`. */
  readonly description?: string;
  readonly handler: Handler<S extends StandardSchemaV1 ? InferOutput<S> : unknown, R>;
}

/**
 * Finds the definition of a method the router has not registered (RPCs of
 * modules uploaded at run time), or `undefined` for -32601 Method not found.
 * Asked on every call of such a name, after the middleware, so `ctx.account`
 * is the account the middleware settled on; the router keeps nothing, so a
 * new revision takes effect on the next call.
 */
export type MethodResolver = (
  method: string,
  ctx: CallContext,
) => MethodDefinition | undefined | Promise<MethodDefinition | undefined>;

/** Type-level record of a router's methods, for typed clients. */
export type MethodTypes = Record<string, { readonly params: unknown; readonly result: unknown }>;

/** The params a caller sends to a method defined with schema `S`. */
export type ParamsOf<S, Positional> = S extends StandardSchemaV1
  ? Positional extends readonly string[]
    ? InferInput<S> | readonly unknown[]
    : InferInput<S>
  : unknown;

const METHOD_NAME = /^[^\s]/;

/** Checks a definition before it is registered: a bad one throws, never corrupts the router. */
export function checkDefinition(name: unknown, def: unknown, reserved: boolean): void {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new JsonRpcError(
      'invalid-definition',
      `Cannot register method ${JSON.stringify(name)}: ${path} must be ${expected}`,
      {
        details: { path, expected, got },
      },
    );
  };
  if (typeof name !== 'string' || name.length === 0 || !METHOD_NAME.test(name))
    fail('name', 'a non-empty string', name);
  // specification §4: names beginning "rpc." are reserved for rpc-internal methods
  if (!reserved && (name as string).startsWith('rpc.')) fail('name', 'a name not beginning "rpc." (reserved)', name);
  if (typeof def !== 'object' || def === null) return void fail('definition', 'an object', def);
  const d = def as Record<string, unknown>;
  if (typeof d.handler !== 'function') fail('handler', 'a function', typeof d.handler);
  if (d.params !== undefined && !isStandardSchema(d.params))
    fail('params', 'a Standard Schema v1 object (valibot schema)', d.params);
  if (d.result !== undefined && !isStandardSchema(d.result))
    fail('result', 'a Standard Schema v1 object (valibot schema)', d.result);
  if (d.positional !== undefined) {
    const p = d.positional;
    if (!Array.isArray(p) || p.some((k) => typeof k !== 'string') || new Set(p).size !== p.length) {
      fail('positional', 'an array of distinct strings', p);
    }
  }
}

/** True for an object carrying a Standard Schema v1 `~standard` property. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const s = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return typeof s === 'object' && s !== null && s.version === 1 && typeof s.validate === 'function';
}
