import {
  type Authenticator,
  type CallContext,
  createHttpHandler,
  createRouter,
  JsonRpcError,
  parseBasicAuth,
} from '@fleetkit/jsonrpc';
import * as v from 'valibot';
import { RoutingErrorCode, routeFromDevice } from '../routing.ts';
import { type Device, findDevice } from '../store/devices.ts';
import { statusOfRpcStatus } from './acks.ts';
import { deviceByLogin, splitLogin } from './auth.ts';
import { queueOf } from './engine.ts';
import { problem } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';
import { CONFIGURE, type Work } from './work.ts';

const CHALLENGE = 'Basic realm="exoport", charset="UTF-8"';

/** The members of an exosense `std-callback` (docs/sources.md, the real exodm server item 2) that are the ack itself, not the device's result. */
const STD_CALLBACK = new Set(['transaction-id', 'rpc-status', 'rpc-status-string', 'final']);

/** An integer param the real server read with `to_int`: a JSON number or decimal text. */
const integer = v.pipe(
  v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\d{1,9}$/))]),
  v.transform(Number),
);

/** `exoport:get-messages` params: `n` (default 50) and `timeout` in ms (default 0); `[]` means none. */
const getMessagesParams = v.optional(
  v.union([
    v.object({ n: v.optional(integer), timeout: v.optional(integer) }),
    v.pipe(
      v.array(v.unknown()),
      v.length(0),
      v.transform((): { n?: number; timeout?: number } => ({})),
    ),
  ]),
  {},
);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A transaction as the real exoport_http delivered it (docs/sources.md, the real exodm server item 4,
 * `exodm_rpc_exoport_http.erl`): `{"class":"call","method":"m:f","params":…}`
 * with the transaction id in the params. A 1.x config set push keeps the
 * real shape, `<module>:push_config_set` with `name` and `values`; a cancel is
 * fleetkit's `exoport:cancel`.
 */
export function exoportMessage(work: Work): Record<string, unknown> {
  const id = { 'transaction-id': work.transactionId };
  if (work.action === 'cancel') {
    return { class: 'call', method: 'exoport:cancel', params: { ...id, method: work.name } };
  }
  const updates = work.params.updates;
  const set = work.params['config-set'];
  if (work.name === CONFIGURE && typeof set === 'string' && Array.isArray(updates) && updates.length === 1) {
    const [update] = updates as { module: string; values: unknown }[];
    return {
      class: 'call',
      method: `${update!.module}:push_config_set`,
      params: { name: set, values: update!.values, ...id },
    };
  }
  return { class: 'call', method: work.name, params: { ...work.params, ...id } };
}

/** A device's std-callback as an ack of its transaction (docs/sources.md, the real exodm server item 2: the device reuses the transaction id). */
async function ackFromCallback(runtime: DeviceRuntime, device: Device, params: Record<string, unknown>) {
  const transactionId = Number(params['transaction-id']);
  const status = params['rpc-status'];
  const final =
    typeof params.final === 'boolean'
      ? params.final
      : !['accepted', 'device-connected', 0, 3, '0', '3'].includes(status as string | number);
  const ackStatus = statusOfRpcStatus(status, final);
  if (!Number.isSafeInteger(transactionId) || transactionId <= 0 || ackStatus === undefined) {
    throw JsonRpcError.invalidParams(
      [{ message: 'Expected a transaction-id of this device and an exosense rpc-status', path: ['rpc-status'] }],
      params,
    );
  }
  const detail: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (!STD_CALLBACK.has(key)) detail[key] = value;
  const reported = Object.keys(detail).length === 0 ? undefined : detail;
  const outcome = await runtime.engine.ack(device, {
    transactionId,
    status: ackStatus,
    ...(reported === undefined ? {} : ackStatus === 'progress' ? { progress: reported } : { result: reported }),
  });
  if (outcome.outcome === 'rejected') {
    throw new JsonRpcError('application', 'Transaction rejected', {
      rpcCode: RoutingErrorCode.TransactionRejected,
      data: { 'transaction-id': transactionId, reason: outcome.reason },
    });
  }
  return { result: 'ok' };
}

/** Any other call of the device: a transaction's std-callback, else a device-originated RPC or notification. */
async function fromDevice(runtime: DeviceRuntime, ctx: CallContext, params: unknown): Promise<unknown> {
  const device = await deviceOf(runtime, ctx);
  if (isObject(params) && params['transaction-id'] !== undefined && params['rpc-status'] !== undefined) {
    return ackFromCallback(runtime, device, params);
  }
  const routed = await routeFromDevice(runtime.server, device, {
    method: ctx.method,
    params,
    notification: ctx.notification,
  });
  if (routed.kind === 'result') return routed.result;
  if (routed.kind === 'forwarded') return { result: 'ok' };
  throw new JsonRpcError('application', routed.error.message, { rpcCode: routed.error.code, data: routed.error.data });
}

async function deviceOf(runtime: DeviceRuntime, ctx: CallContext): Promise<Device> {
  const device =
    ctx.account === undefined || ctx.user === undefined
      ? undefined
      : await findDevice(runtime.server.db, ctx.account, ctx.user);
  // deleted between authentication and this call
  if (device === undefined) throw new JsonRpcError('unauthenticated', 'Unauthenticated');
  return device;
}

/**
 * The real exodm's HTTP device endpoint (plugin `exoport-http`, docs/sources.md, the real exodm server item 4):
 * `POST /exoport`, JSON-RPC 2.0, Basic user `*account*device` (any
 * delimiter of the real server) with the device's access key, or its 1.x
 * `device-key`, as password. The device polls with `exoport:get-messages`
 * and sends its std-callbacks and its own RPCs to the same endpoint.
 */
export function exoportHandler(runtime: DeviceRuntime): (request: Request) => Promise<Response> {
  const { server, engine } = runtime;
  const router = createRouter({
    logger: server.logger,
    resolve: (method) =>
      method.startsWith('rpc.')
        ? undefined
        : { handler: (params: unknown, ctx: CallContext) => fromDevice(runtime, ctx, params) },
  }).method('exoport:get-messages', {
    params: getMessagesParams,
    summary: 'Up to n queued transactions of the calling device, waiting up to timeout ms for one',
    handler: async (p, ctx) => {
      const device = await deviceOf(runtime, ctx);
      const works = await engine.take(queueOf(device), {
        limit: Math.min(Math.max(p.n ?? 50, 1), 1000),
        waitMs: Math.min(p.timeout ?? 0, runtime.options.maxPollMs),
        ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      });
      return { result: 'ok', messages: works.map(exoportMessage) };
    },
  });
  const authenticated = new WeakMap<Request, Device>();
  const authenticate: Authenticator = {
    challenge: CHALLENGE,
    async authenticate(request) {
      const device = authenticated.get(request);
      return device === undefined ? undefined : { user: device.deviceId, account: device.account };
    },
  };
  const handle = createHttpHandler(router, {
    authenticate,
    maxBodyBytes: server.settings.maxBodyBytes,
    logger: server.logger,
  });
  return async (request) => {
    const credentials = parseBasicAuth(request.headers.get('authorization'));
    const login = credentials === undefined ? undefined : splitLogin(credentials.user);
    const auth =
      login === undefined
        ? undefined
        : await deviceByLogin(server, { ...login, password: credentials!.password, protocol: 'exoport-http' });
    if (auth === undefined || 'refused' in auth) {
      await request.body?.cancel().catch(() => {});
      const status = auth !== undefined && auth.refused === 'wrong-protocol' ? 403 : 401;
      return Response.json(
        {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32001, message: 'Unauthenticated', data: { code: auth?.refused ?? 'unauthorized' } },
        },
        { status, headers: { 'www-authenticate': CHALLENGE } },
      );
    }
    const wait = runtime.limits.take(queueOf(auth.device));
    if (wait > 0) {
      await request.body?.cancel().catch(() => {});
      return problem(429, 'rate-limited', 'Too many calls: slow down', {
        body: { retry_after_ms: wait },
        headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
      });
    }
    await engine.seen(auth.device);
    authenticated.set(request, auth.device);
    return handle(request);
  };
}
