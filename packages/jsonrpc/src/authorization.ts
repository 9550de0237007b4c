import type { CallContext } from './context.ts';
import { JsonRpcError, RpcMessage } from './errors.ts';
import type { Middleware } from './middleware.ts';

/** What an authorisation hook decides on: who calls which method on which account, with which params. */
export interface AuthorizationRequest {
  readonly user: string | undefined;
  readonly account: string | undefined;
  readonly method: string;
  /**
   * The params as sent, before validation (authorisation comes first, so a
   * caller without rights learns nothing of the schema): an array, an object
   * or `undefined`. A hook reading a device or package from them checks
   * their type itself.
   */
  readonly params: unknown;
}

/** Allow, or deny with a reason the caller sees in `error.data.reason`. */
export type AuthorizationDecision = { readonly allow: true } | { readonly allow: false; readonly reason: string };

/** The authorisation hook (the `rbac` package provides one). */
export type Authorize = (request: AuthorizationRequest) => AuthorizationDecision | Promise<AuthorizationDecision>;

/** The decision that lets a call through. */
export const allow: AuthorizationDecision = Object.freeze({ allow: true });

/** A denial carrying its reason. */
export function deny(reason: string): AuthorizationDecision {
  return { allow: false, reason };
}

/**
 * A middleware asking `authorize` before every call, resolved methods
 * included; a denial answers -32002 Permission denied. Anything but
 * `{ allow: true }` denies (fail closed).
 */
export function authorization(authorize: Authorize): Middleware {
  return (ctx, next) => {
    const decision = authorize({ user: ctx.user, account: ctx.account, method: ctx.method, params: ctx.params });
    return decision instanceof Promise ? decision.then((d) => decide(d, ctx, next)) : decide(decision, ctx, next);
  };
}

function decide(decision: AuthorizationDecision, ctx: CallContext, next: () => unknown): unknown {
  if (typeof decision === 'object' && decision !== null && decision.allow === true) return next();
  const reason =
    typeof decision === 'object' && decision !== null && typeof decision.reason === 'string'
      ? decision.reason
      : 'no decision';
  throw new JsonRpcError('permission-denied', RpcMessage['permission-denied'], {
    data: { method: ctx.method, user: ctx.user ?? null, account: ctx.account ?? null, reason },
  });
}

/**
 * A middleware taking the call's account from a string param, which wins
 * over the account of the credentials (docs/sources.md, the real exodm server item 5, "choosing the account", step 1).
 */
export function accountFromParams(name = 'account'): Middleware {
  return (ctx, next) => {
    const params = ctx.params;
    if (typeof params === 'object' && params !== null && !Array.isArray(params)) {
      const value = (params as Record<string, unknown>)[name];
      if (typeof value === 'string' && Object.hasOwn(params, name)) ctx.account = value;
    }
    return next();
  };
}
