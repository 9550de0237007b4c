import type { Logger, Random } from '@fleetkit/core';
import { CallContext, type RequestInfo, requestIdOf, type SharedInfo, sharedInfo } from '../context.ts';
import { JsonRpcError, RpcMessage } from '../errors.ts';
import { checkDefinition, type MethodDefinition, type MethodResolver } from '../method.ts';
import { type Middleware, runMiddleware } from '../middleware.ts';
import type { JsonRpcId } from '../protocol.ts';
import { codeText, errorText, INVALID_REQUEST, isWireError, PARSE_ERROR, resultText } from './encode.ts';
import { validateParams } from './validate.ts';

/** A registered method: a frozen copy of its definition, and how to call it. */
export interface Registered {
  readonly def: MethodDefinition;
  /** No schema, no positional names, no use for a context: call the handler with the params as sent. */
  readonly direct: boolean;
}

/** A method as stored: its definition is copied, so later changes to the caller's object do not reach it. */
export function registered(definition: MethodDefinition): Registered {
  const def = Object.freeze({
    ...definition,
    ...(definition.positional === undefined ? {} : { positional: Object.freeze([...definition.positional]) }),
  });
  return { def, direct: def.params === undefined && def.positional === undefined && def.handler.length < 2 };
}

/** A router's state as the dispatcher sees it (built once per router). */
export interface Engine {
  readonly methods: Map<string, Registered>;
  readonly middleware: Middleware[];
  /** Asked for names not in `methods`; absent: those are -32601 at once. */
  readonly resolve: MethodResolver | undefined;
  readonly logger: Logger;
  readonly random: Random;
  readonly maxBatch: number;
}

type Out = string | undefined | Promise<string | undefined>;

/** Text in, response text (or none) out; nothing it is given makes it throw. */
export function dispatch(engine: Engine, text: string, info: RequestInfo | undefined): Out {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return PARSE_ERROR; // §5.1 -32700, id null
  }
  const shared = sharedInfo(info, engine.random);
  if (!Array.isArray(message)) return one(engine, message, shared);
  // §6: an empty array is one Invalid Request, not an empty batch
  if (message.length === 0) return INVALID_REQUEST;
  if (message.length > engine.maxBatch)
    return codeText('batch-too-large', null, { limit: engine.maxBatch, got: message.length });
  return batch(engine, message, shared);
}

function batch(engine: Engine, items: unknown[], shared: SharedInfo): Out {
  // synchronous answers are appended as they come; from the first promise on, parts are collected
  let out = '';
  let parts: Out[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const part = one(engine, items[i], shared);
    if (parts !== undefined) parts.push(part);
    else if (typeof part === 'string') out = out === '' ? part : `${out},${part}`;
    else if (part !== undefined) parts = [out === '' ? undefined : out, part];
  }
  return parts === undefined ? close(out) : Promise.all(parts).then(join);
}

function join(parts: (string | undefined)[]): string | undefined {
  let out = '';
  for (const part of parts) if (part !== undefined) out = out === '' ? part : `${out},${part}`;
  return close(out);
}

// §6: no Response objects at all (all notifications) means no array either
function close(out: string): string | undefined {
  return out === '' ? undefined : `[${out}]`;
}

function one(engine: Engine, message: unknown, shared: SharedInfo): Out {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return INVALID_REQUEST;
  const m = message as Record<string, unknown>;
  const id = m.id;
  const notification = id === undefined;
  // an id such as 1e400 parses to Infinity, which no response could echo: it is refused like a non-id
  if (!notification && id !== null && typeof id !== 'string' && (typeof id !== 'number' || !Number.isFinite(id)))
    return INVALID_REQUEST;
  const replyId = notification ? null : (id as JsonRpcId);
  const method = m.method;
  const params = m.params;
  // §4: "jsonrpc" exactly "2.0", method a String, params (if any) an Array or Object
  if (
    m.jsonrpc !== '2.0' ||
    typeof method !== 'string' ||
    (params !== undefined && (typeof params !== 'object' || params === null))
  ) {
    return notification ? INVALID_REQUEST : codeText('invalid-request', replyId);
  }
  const r = engine.methods.get(method);
  if (r === undefined && (engine.resolve === undefined || method.startsWith('rpc.')))
    return notification ? undefined : codeText('method-not-found', replyId);
  let value: unknown;
  try {
    value = call(engine, r, method, params, notification ? undefined : replyId, shared);
  } catch (error) {
    return notification
      ? failedNotification(engine, method, shared, error)
      : failure(engine, method, shared, error, replyId);
  }
  if (value instanceof Promise) {
    return value.then(
      (v) => (notification ? undefined : success(engine, method, shared, v, replyId)),
      (error: unknown) =>
        notification
          ? failedNotification(engine, method, shared, error)
          : failure(engine, method, shared, error, replyId),
    );
  }
  return notification ? undefined : success(engine, method, shared, value, replyId);
}

/** Runs one call: a registered method `r`, or (absent) one the resolver is asked for. */
function call(
  engine: Engine,
  r: Registered | undefined,
  method: string,
  params: unknown,
  id: JsonRpcId | undefined,
  shared: SharedInfo,
): unknown {
  if (r !== undefined && engine.middleware.length === 0) {
    // the context is made only when someone can see it: a middleware, or a handler taking a second argument
    if (r.direct) return r.def.handler(params, undefined as never);
    if (r.def.handler.length < 2) return invoke(r.def, params, undefined);
  }
  const ctx = new CallContext(method, id, params, shared);
  if (r === undefined) return runMiddleware(engine.middleware, ctx, (c) => resolved(engine, c));
  return runMiddleware(engine.middleware, ctx, (c) => invoke(r.def, c.params, c));
}

function resolved(engine: Engine, ctx: CallContext): unknown {
  const def = (engine.resolve as MethodResolver)(ctx.method, ctx);
  return def instanceof Promise ? def.then((d) => invokeResolved(d, ctx)) : invokeResolved(def, ctx);
}

function invokeResolved(def: MethodDefinition | undefined, ctx: CallContext): unknown {
  if (def === undefined) throw new JsonRpcError('method-not-found', RpcMessage['method-not-found']);
  // a resolver's definition is checked like a registered one; a bad one is the server's fault (-32603, logged)
  checkDefinition(ctx.method, def, false);
  return invoke(def, ctx.params, ctx);
}

function invoke(def: MethodDefinition, raw: unknown, ctx: CallContext | undefined): unknown {
  const params = validateParams(def, raw);
  return params instanceof Promise
    ? params.then((p) => def.handler(p, ctx as CallContext))
    : def.handler(params, ctx as CallContext);
}

function success(engine: Engine, method: string, shared: SharedInfo, value: unknown, id: JsonRpcId): string {
  try {
    return resultText(value, id);
  } catch (error) {
    // a result JSON cannot carry (BigInt, a cycle) is the server's fault: -32603
    return failure(engine, method, shared, error, id);
  }
}

function failure(engine: Engine, method: string, shared: SharedInfo, error: unknown, id: JsonRpcId): string {
  if (isWireError(error)) return errorText(error.rpcCode, error.message, id, error.data);
  const fields = { method, requestId: requestIdOf(shared), error };
  // a call failing after its client went away most likely failed for that: nobody reads the answer
  if (shared.signal?.aborted === true) engine.logger.info('JSON-RPC call ended: the client went away', fields);
  else engine.logger.error('JSON-RPC handler failed', fields);
  return codeText('internal-error', id);
}

function failedNotification(engine: Engine, method: string, shared: SharedInfo, error: unknown): undefined {
  // §4.1: a notification is never answered, so its failure only reaches the log; an
  // unknown name is no failure (nor is it logged when the router knows it at once)
  if (error instanceof JsonRpcError && error.code === 'method-not-found') return undefined;
  engine.logger.warn('JSON-RPC notification failed', { method, requestId: requestIdOf(shared), error });
  return undefined;
}
