import { sleep } from '@fleetkit/core';
import { type Context, Hono } from 'hono';
import * as v from 'valibot';
import { addressOf } from '../app.ts';
import { routeFromDevice } from '../routing.ts';
import { readReport, recordTelemetry } from '../store/device-keys.ts';
import type { Device } from '../store/devices.ts';
import { deviceByPublicId } from './auth.ts';
import { queueOf } from './engine.ts';
import { licenseRoutes } from './http-licenses.ts';
import { packageRoutes } from './http-packages.ts';
import { transactionRoutes } from './http-transactions.ts';
import { isRefusal, registerDevice, registrationBody } from './register.ts';
import { issueList, problem, readJsonBody } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';

/** What the routes after authentication see. */
export type DeviceEnv = { Variables: { device: Device } };

const telemetryBody = v.object({
  status: v.optional(v.pipe(v.string(), v.maxLength(64))),
  timestamp: v.optional(
    v.pipe(
      v.string(),
      v.check((text) => !Number.isNaN(Date.parse(text)), 'an ISO-8601 time'),
    ),
  ),
  telemetries: v.optional(v.record(v.string(), v.unknown())),
  override: v.optional(v.boolean()),
  message: v.optional(v.pipe(v.string(), v.maxLength(1024))),
});

const rpcBody = v.object({
  jsonrpc: v.optional(v.literal('2.0')),
  method: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  params: v.optional(v.unknown()),
  id: v.optional(v.union([v.string(), v.number(), v.null()])),
});

/** Reads and checks a JSON body; the refusal to answer instead, or the value. */
export async function bodyOf<S extends v.GenericSchema>(
  runtime: DeviceRuntime,
  request: Request,
  schema: S,
): Promise<{ readonly value: v.InferOutput<S> } | { readonly refused: Response }> {
  const read = await readJsonBody(request, runtime.server.settings.maxBodyBytes);
  if ('refused' in read) return read;
  const parsed = v.safeParse(schema, read.value);
  if (!parsed.success) {
    return {
      refused: problem(400, 'invalid-request', 'The body does not have the expected shape', {
        body: { issues: issueList(parsed.issues) },
      }),
    };
  }
  return { value: parsed.output };
}

/** `POST /v1/devices`: provisioning with a device type's key (docs/sources.md, the Xyte device API Register Device). */
async function register(runtime: DeviceRuntime, c: Context): Promise<Response> {
  const { server } = runtime;
  const body = await bodyOf(runtime, c.req.raw, registrationBody);
  if ('refused' in body) return body.refused;
  const keys = [`register:${body.value.account}`, `address:${addressOf(c.req.raw)}`];
  const delay = runtime.registrations.delayFor(keys);
  if (delay > 0) await sleep(server.clock, delay, c.req.raw.signal);
  const outcome = await registerDevice(server, body.value);
  if (isRefusal(outcome)) {
    if (outcome.code === 'invalid-provisioning-key') runtime.registrations.failed(keys);
    server.logger.info('device registration refused', { account: body.value.account, code: outcome.code });
    return problem(outcome.status, outcome.code, `Cannot register the device: ${outcome.code}`);
  }
  runtime.registrations.succeeded(keys[0]!);
  server.logger.info('device registered', { account: outcome.account, device: outcome.deviceId });
  const hubUrl = runtime.options.hubUrl ?? new URL(c.req.url).origin;
  return c.json({ id: outcome.publicId, access_key: outcome.accessKey, hub_url: hubUrl });
}

/** `POST /v1/devices/{id}/telemetry`: records the report, answers what waits (docs/sources.md, the Xyte device API Send Telemetry). */
async function telemetry(runtime: DeviceRuntime, c: Context<DeviceEnv>): Promise<Response> {
  const { server, engine } = runtime;
  const device = c.get('device');
  const body = await bodyOf(runtime, c.req.raw, telemetryBody);
  if ('refused' in body) return body.refused;
  const previous = await readReport(server.db, device.account, device);
  const given = body.value.telemetries ?? {};
  // Xyte: `override` replaces the whole state; otherwise the values given update the ones held
  const telemetries = body.value.override === true ? given : { ...previous.telemetries, ...given };
  await recordTelemetry(server.db, device.account, device, {
    status: body.value.status,
    telemetries,
    message: body.value.message,
    reportedAt: body.value.timestamp === undefined ? server.clock.now() : Date.parse(body.value.timestamp),
  });
  const pending = await engine.summary(device);
  return c.json({ config_version: pending.configVersion, command: pending.command, new_licenses: pending.licenses });
}

/** `POST /v1/devices/{id}/rpc`: a device-originated JSON-RPC request or notification (manual §5.4, §5.8). */
async function rpc(runtime: DeviceRuntime, c: Context<DeviceEnv>): Promise<Response> {
  const body = await bodyOf(runtime, c.req.raw, rpcBody);
  if ('refused' in body) return body.refused;
  const notification = body.value.id === undefined;
  const routed = await routeFromDevice(runtime.server, c.get('device'), {
    method: body.value.method,
    params: body.value.params,
    notification,
  });
  if (notification) return c.json({}, 202);
  const id = body.value.id ?? null;
  if (routed.kind === 'error') return c.json({ jsonrpc: '2.0', id, error: routed.error });
  return c.json({ jsonrpc: '2.0', id, result: routed.kind === 'result' ? routed.result : 'ok' });
}

/**
 * The HTTP device API after Xyte's (plugin `fleetkit-http`, docs/sources.md
 * §1), mounted under `/v1`. Every call after registration carries the access
 * key in `Authorization` (no scheme) and the device's public id in the URL:
 * an unknown id, a deleted device or a wrong (rotated) key is 401; a device
 * of another protocol 403; a device over its call budget 429.
 */
export function fleetkitHttpRoutes(runtime: DeviceRuntime): Hono<DeviceEnv> {
  const app = new Hono<DeviceEnv>();
  app.post('/devices', (c) => register(runtime, c));
  app.use('/devices/:id/*', async (c, next) => {
    const auth = await deviceByPublicId(runtime.server, {
      publicId: c.req.param('id'),
      key: c.req.header('authorization') ?? '',
      protocol: 'fleetkit-http',
    });
    if ('refused' in auth) {
      await c.req.raw.body?.cancel().catch(() => {});
      return auth.refused === 'wrong-protocol'
        ? problem(403, 'wrong-protocol', 'The device belongs to another protocol plugin')
        : problem(401, 'unauthorized', 'Unknown device or wrong access key: register again');
    }
    const wait = runtime.limits.take(queueOf(auth.device));
    if (wait > 0) {
      await c.req.raw.body?.cancel().catch(() => {});
      return problem(429, 'rate-limited', 'Too many calls: slow down', {
        body: { retry_after_ms: wait },
        headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
      });
    }
    await runtime.engine.seen(auth.device);
    c.set('device', auth.device);
    await next();
    return undefined;
  });
  app.post('/devices/:id/telemetry', (c) => telemetry(runtime, c));
  app.post('/devices/:id/rpc', (c) => rpc(runtime, c));
  transactionRoutes(app, runtime);
  licenseRoutes(app, runtime);
  packageRoutes(app, runtime);
  return app;
}
