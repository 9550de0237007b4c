import { createLogger, cryptoRandom, type Logger, type Random } from '@fleetkit/core';
import { dispatch, type Engine, registered } from './_internal/dispatch.ts';
import { countOption } from './_internal/options.ts';
import type { RequestInfo } from './context.ts';
import { type DiscoveryInfo, withDiscovery } from './discovery.ts';
import { JsonRpcError } from './errors.ts';
import {
  checkDefinition,
  type MethodDefinition,
  type MethodResolver,
  type MethodTypes,
  type ParamsOf,
} from './method.ts';
import type { Middleware } from './middleware.ts';
import type { StandardSchemaV1 } from './standard-schema.ts';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Where handler failures are logged (with the method and request id); default `createLogger()`, JSON lines on stderr. */
  readonly logger?: Logger;
  /** Source of generated request ids; default `cryptoRandom`. */
  readonly random?: Random;
  /** Most calls one batch may hold; larger batches get one -32000 error. Default 1000. */
  readonly maxBatch?: number;
  /** When given, `rpc.discover` answers the OpenRPC document of the router's methods. */
  readonly discover?: DiscoveryInfo;
  /**
   * Asked for each call of a name no `.method()` registered (never for
   * `rpc.` names), after the middleware; `undefined` answers -32601.
   * Registered methods never reach it.
   */
  readonly resolve?: MethodResolver;
}

/** Output of {@link Router.handle}: a response text, none, or a promise of either. */
export type HandleResult = string | undefined | Promise<string | undefined>;

/**
 * A JSON-RPC 2.0 router: text in, text (or nothing) out. `handle` returns
 * synchronously when every middleware and handler did, so it can always be
 * awaited and costs no promise on synchronous methods.
 */
export class Router<M extends MethodTypes = Record<never, never>> {
  readonly #engine: Engine;

  constructor(options: RouterOptions = {}) {
    this.#engine = {
      methods: new Map(),
      middleware: [],
      resolve: resolverOption(options.resolve),
      logger: options.logger ?? createLogger(),
      random: options.random ?? cryptoRandom,
      maxBatch: countOption('maxBatch', options.maxBatch, 1000, 1),
    };
  }

  /** Registers a method; throws `invalid-definition` for a bad or duplicate one. */
  method<
    N extends string,
    S extends StandardSchemaV1 | undefined = undefined,
    R = unknown,
    P extends readonly string[] | undefined = undefined,
  >(
    name: N,
    definition: MethodDefinition<S, R> & { readonly positional?: P },
  ): Router<M & { [K in N]: { params: ParamsOf<S, P>; result: Awaited<R> } }> {
    this.#register(name, definition as MethodDefinition, false);
    return this as never;
  }

  /** Registers a method under a reserved `rpc.` name (for built-ins such as `rpc.discover`). */
  reserved(name: string, definition: MethodDefinition): this {
    this.#register(name, definition, true);
    return this;
  }

  /** Adds a middleware around every call, after those added before. */
  use(middleware: Middleware): this {
    if (typeof middleware !== 'function') {
      throw new JsonRpcError('invalid-definition', 'Cannot add middleware: expected a function (ctx, next) => result', {
        details: { path: 'middleware', expected: 'function', got: typeof middleware },
      });
    }
    this.#engine.middleware.push(middleware);
    return this;
  }

  /** The registered methods, in registration order. */
  definitions(): ReadonlyMap<string, MethodDefinition> {
    const out = new Map<string, MethodDefinition>();
    for (const [name, r] of this.#engine.methods) out.set(name, r.def);
    return out;
  }

  /** Answers one JSON-RPC message (single or batch); never throws. */
  handle(text: string, info?: RequestInfo): HandleResult {
    return dispatch(this.#engine, text, info);
  }

  #register(name: string, definition: MethodDefinition, reserved: boolean): void {
    checkDefinition(name, definition, reserved);
    if (this.#engine.methods.has(name)) {
      throw new JsonRpcError(
        'invalid-definition',
        `Cannot register method ${JSON.stringify(name)}: it is already registered`,
        {
          details: { path: 'name', expected: 'a name not yet registered', got: name },
        },
      );
    }
    this.#engine.methods.set(name, registered(definition));
  }
}

function resolverOption(resolve: MethodResolver | undefined): MethodResolver | undefined {
  if (resolve === undefined || typeof resolve === 'function') return resolve;
  throw new JsonRpcError('invalid-definition', 'Cannot use resolve: expected a function (method, ctx) => definition', {
    details: { path: 'resolve', expected: 'function', got: typeof resolve },
  });
}

/** A router with no methods; add them with `.method(name, { params, handler })`. */
export function createRouter(options?: RouterOptions): Router {
  const router = new Router(options);
  return options?.discover === undefined ? router : withDiscovery(router, options.discover);
}

/** The method types of a router, for `createClient<MethodsOf<typeof router>>()`. */
export type MethodsOf<R> = R extends Router<infer M> ? M : never;
