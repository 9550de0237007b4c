import type { CallContext, MethodDefinition } from '@fleetkit/jsonrpc';
import { RbacError } from '@fleetkit/rbac';
import type * as v from 'valibot';
import { isResultCode, Outcome } from '../result-code.ts';

/** Who is calling, resolved by the access middleware before any handler runs. */
export interface Call {
  /** The user name (without the `*account*` part of the login). */
  readonly user: string;
  /** The account every object of the call belongs to. */
  readonly account: string;
  /** The id of the HTTP request the call came in, for logs. */
  readonly requestId: string;
  readonly signal: AbortSignal | undefined;
}

/** A built-in `exodm:` method: its canonical name and its definition (aliases: api/matrix.ts). */
export interface ServerMethod {
  readonly name: string;
  readonly definition: MethodDefinition;
}

/** What a family file declares per method. */
export interface MethodSpec<S extends v.GenericSchema> {
  readonly params: S;
  readonly summary: string;
  readonly handler: (params: v.InferOutput<S>, call: Call) => unknown;
}

/**
 * Defines a built-in method. The handler gets validated params and the
 * resolved caller; an {@link Outcome} it throws, or an rbac error whose code is
 * a `result-code`, becomes the result `{"result": code, "reason": …}`, which is
 * how the real server reports business outcomes.
 */
export function method<S extends v.GenericSchema>(name: string, spec: MethodSpec<S>): ServerMethod {
  return {
    name,
    definition: {
      params: spec.params,
      summary: spec.summary,
      handler: async (params: unknown, ctx: CallContext) => {
        try {
          return await spec.handler(params as v.InferOutput<S>, callOf(ctx));
        } catch (error) {
          return outcomeOf(error);
        }
      },
    },
  };
}

/** The caller of a call that passed the access middleware. */
export function callOf(ctx: CallContext): Call {
  if (ctx.user === undefined || ctx.account === undefined) {
    throw new Error(`call ${ctx.method} reached its handler without a resolved user and account`);
  }
  return { user: ctx.user, account: ctx.account, requestId: ctx.requestId, signal: ctx.signal };
}

/** The result of a business outcome, or the error rethrown when it is not one. */
export function outcomeOf(error: unknown): { readonly result: string; readonly reason: string } {
  if (error instanceof Outcome) return error.toResult();
  if (error instanceof RbacError && isResultCode(error.code)) return { result: error.code, reason: error.message };
  throw error;
}
