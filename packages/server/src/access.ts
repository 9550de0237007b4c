import { type CallContext, JsonRpcError, type Middleware } from '@fleetkit/jsonrpc';
import { RbacError } from '@fleetkit/rbac';
import type { ServerContext } from './context.ts';
import { ResultCode } from './result-code.ts';

/** Built-in methods a user may always call on their own user name (docs/sources.md, the real exodm server item 5). */
const SELF_METHODS = new Set(['exodm:lookup-user', 'exodm:list-user-accounts', 'exodm:update-user']);

/** The whole answer to a refused call: the reason could tell a caller which accounts and users exist. */
const DENIED = Object.freeze({ result: ResultCode.PermissionDenied });

/** Methods every authenticated user may call: discovery only. */
const OPEN_METHODS = new Set(['rpc.discover']);

function paramOf(params: unknown, name: string): unknown {
  return typeof params === 'object' && params !== null && !Array.isArray(params)
    ? (params as Record<string, unknown>)[name]
    : undefined;
}

/**
 * The package an RPC name belongs to: `<module>:<rpc>` outside `exodm:`
 * names the YANG module (the package of 2.x, the module of a 1.x config set).
 */
export function packageOf(method: string): string | undefined {
  const colon = method.indexOf(':');
  if (colon <= 0) return undefined;
  const module = method.slice(0, colon);
  return module === 'exodm' ? undefined : module;
}

/**
 * Resolves who calls and on which account (the `account` param, a
 * `*account*user` login, the user's only account), then decides with rbac:
 * Table 2 for built-in methods, role grants for package RPCs (§5.3, §8.5).
 * A refusal is a business outcome as on the real server, exactly
 * `{"result": "permission-denied"}`; the reason is logged, not leaked. A
 * name outside `exodm:` that no row knows is -32601.
 */
export function accessControl(server: ServerContext): Middleware {
  const { rbac, logger } = server;
  return async (ctx: CallContext, next) => {
    const login = ctx.user;
    if (login === undefined) throw new Error(`call ${ctx.method} reached access control unauthenticated`);
    const named = paramOf(ctx.params, 'account');
    let caller: { user: string; account: string };
    try {
      caller = rbac.selectAccount({ login, account: typeof named === 'string' ? named : undefined });
    } catch (error) {
      if (error instanceof RbacError && error.code === 'account-not-specified') {
        return { result: ResultCode.AccountNotSpecified, reason: error.message };
      }
      throw error;
    }
    ctx.user = caller.user;
    ctx.account = caller.account;
    if (OPEN_METHODS.has(ctx.method)) return next();
    const pkg = packageOf(ctx.method);
    const method = pkg === undefined ? rbac.canonicalMethod(ctx.method) : ctx.method;
    // a name no matrix row knows is no built-in method (rpc.discover lists them all): -32601, and never its handler
    if (method === undefined) throw new JsonRpcError('method-not-found', 'Method not found');
    if (SELF_METHODS.has(method) && paramOf(ctx.params, 'uname') === caller.user) return next();
    const decision = rbac.can(pkg === undefined ? { ...caller, method } : { ...caller, method, package: pkg });
    if (decision.allowed) return next();
    logger.info('call refused', {
      method: ctx.method,
      user: caller.user,
      account: caller.account,
      reason: decision.reason,
      requestId: ctx.requestId,
    });
    return DENIED;
  };
}
