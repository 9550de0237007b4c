import type { Logger, Random } from '@fleetkit/core';
import { CallContext, type RequestInfo, type SharedInfo, sharedInfo } from '../context.ts';
import type { MethodDefinition } from '../method.ts';
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
  if (r === undefined) return notification ? undefined : codeText('method-not-found', replyId);
  const def = r.def;
  let value: unknown;
  try {
    if (engine.middleware.length === 0 && r.direct) value = def.handler(params, undefined as never);
    else if (engine.middleware.length === 0 && def.handler.length < 2) value = invoke(def, params, undefined);
    else {
      // the context is made only when someone can see it: a middleware, or a handler taking a second argument
      const ctx = new CallContext(method, notification ? undefined : replyId, params, shared);
      value = runMiddleware(engine.middleware, ctx, (c) => invoke(def, c.params, c));
    }
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

function invoke(def: MethodDefinition, raw: unknown, ctx: CallContext | undefined): unknown {
  const params = validateParams(def, raw);
  return params instanceof Promise
    ? params.then((p) => def.handler(p, ctx as CallContext))
    : def.handler(params, ctx as CallContext);
}

function requestIdOf(shared: SharedInfo): string {
  return (shared.requestId ??= shared.random.uuid());
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
  engine.logger.error('JSON-RPC handler failed', { method, requestId: requestIdOf(shared), error });
  return codeText('internal-error', id);
}

function failedNotification(engine: Engine, method: string, shared: SharedInfo, error: unknown): undefined {
  // §4.1: a notification is never answered, so its failure only reaches the log
  engine.logger.warn('JSON-RPC notification failed', { method, requestId: requestIdOf(shared), error });
  return undefined;
}
