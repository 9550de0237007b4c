import { type AckStatus, failureStatuses, type Transaction } from '@fleetkit/txqueue';
import type { Context, Hono } from 'hono';
import * as v from 'valibot';
import { readReport } from '../store/device-keys.ts';
import { commandId, parseCommandId, rejected, xyteStatus } from './acks.ts';
import { queueOf } from './engine.ts';
import { bodyOf, type DeviceEnv } from './http.ts';
import { problem } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';
import type { Work } from './work.ts';

const commandUpdate = v.object({
  id: v.union([v.string(), v.number()]),
  status: v.picklist(['in_progress', 'done', 'failed', 'cancelled']),
  message: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  // fleetkit's: a progress detail ({cnt, of}), a result, the exosense failure code of a `failed`
  progress: v.optional(v.unknown()),
  result: v.optional(v.unknown()),
  error: v.optional(v.picklist(failureStatuses)),
});

const configUpdate = v.object({
  id: v.optional(v.union([v.string(), v.number()])),
  version: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  config: v.optional(v.looseObject({ version: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))) })),
  status: v.optional(v.picklist(['in_progress', 'done', 'failed']), 'done'),
  message: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  result: v.optional(v.unknown()),
  error: v.optional(v.picklist(failureStatuses)),
});

const isConfig = (head: Transaction): boolean => head.kind === 'config';
const isCommand = (head: Transaction): boolean => head.kind !== 'config';

/** A command as Xyte's Get Command answers it (docs/sources.md, the Xyte device API), `cancel` marking a cancel request. */
function commandOf(publicId: string, work: Work): Record<string, unknown> {
  return {
    id: commandId(work.transactionId, work.attempt),
    device_id: publicId,
    status: work.inProgress || work.action === 'cancel' ? 'in_progress' : 'pending',
    name: work.name,
    parameters: work.params,
    ...(work.action === 'cancel' ? { cancel: true } : {}),
  };
}

/** The detail an ack carries: the device's own, else its message. */
function detailOf(given: unknown, message: string | undefined): unknown {
  return given ?? (message === undefined ? undefined : { message });
}

/**
 * The ack status of a Xyte update: `failed` of a transaction being
 * cancelled means it was not carried out, so it confirms the cancel.
 */
function statusOf(
  update: { readonly status: string; readonly error?: AckStatus | undefined },
  transaction: Transaction | undefined,
): AckStatus {
  if (update.status === 'in_progress') return 'progress';
  if (update.status === 'done') return 'complete';
  if (update.status === 'cancelled' || transaction?.state === 'cancelling') return 'cancelled';
  return update.error ?? 'device-error';
}

async function ackAndAnswer(
  runtime: DeviceRuntime,
  c: Context<DeviceEnv>,
  ack: {
    readonly transactionId: number;
    readonly attempt: number | undefined;
    readonly update: { readonly status: string; readonly error?: AckStatus | undefined };
    readonly detail: unknown;
    readonly kind: 'config' | 'command';
  },
): Promise<Response> {
  const device = c.get('device');
  const queue = queueOf(device);
  const transaction = await runtime.engine.transaction(queue, ack.transactionId);
  if (transaction !== undefined && (transaction.kind === 'config') !== (ack.kind === 'config')) {
    return problem(409, 'wrong-endpoint', `Transaction ${ack.transactionId} is not a ${ack.kind}`);
  }
  const status = statusOf(ack.update, transaction);
  const outcome = await runtime.engine.ack(device, {
    transactionId: ack.transactionId,
    attempt: ack.attempt,
    status,
    ...(ack.detail === undefined ? {} : status === 'progress' ? { progress: ack.detail } : { result: ack.detail }),
  });
  if (outcome.outcome === 'rejected') return rejected(outcome, ack.transactionId);
  return c.json({
    id: commandId(outcome.transaction.id, outcome.transaction.attempt),
    version: outcome.transaction.id,
    status: xyteStatus(outcome.transaction),
  });
}

/**
 * Commands and configuration (docs/sources.md, the Xyte device API Get/Update Command, Get/Set
 * Config; docs/decisions/server-device-api.md): one transaction at a time in
 * queue order; the next one is served by `/command` when it is an RPC or
 * package transaction and by `/config` when it is configuration, whose
 * version is the transaction id.
 */
export function transactionRoutes(app: Hono<DeviceEnv>, runtime: DeviceRuntime): void {
  const { engine, server } = runtime;
  app.get('/devices/:id/command', async (c) => {
    const work = await engine.current(queueOf(c.get('device')), isCommand);
    if (work === undefined) return problem(404, 'no-command', 'No command is pending');
    return c.json(commandOf(c.req.param('id'), work));
  });
  app.post('/devices/:id/command', async (c) => {
    const body = await bodyOf(runtime, c.req.raw, commandUpdate);
    if ('refused' in body) return body.refused;
    const id = parseCommandId(body.value.id);
    if (id === undefined) return problem(400, 'invalid-request', 'id is not a command id of this server');
    return ackAndAnswer(runtime, c, {
      transactionId: id.transactionId,
      attempt: id.attempt,
      update: body.value,
      detail: detailOf(
        body.value.status === 'in_progress' ? body.value.progress : body.value.result,
        body.value.message,
      ),
      kind: 'command',
    });
  });
  app.get('/devices/:id/config', async (c) => {
    const device = c.get('device');
    const work = await engine.current(queueOf(device), isConfig);
    if (work !== undefined) {
      // the official agent keeps `config.version` as its local version and posts the object back
      return c.json({
        id: commandId(work.transactionId, work.attempt),
        version: work.transactionId,
        config: { version: work.transactionId, ...work.params },
      });
    }
    const { configVersion } = await readReport(server.db, device.account, device);
    return c.json({ version: configVersion, config: { version: configVersion, updates: [] } });
  });
  app.post('/devices/:id/config', async (c) => {
    const device = c.get('device');
    const body = await bodyOf(runtime, c.req.raw, configUpdate);
    if ('refused' in body) return body.refused;
    const id = body.value.id === undefined ? undefined : parseCommandId(body.value.id);
    const version = id?.transactionId ?? body.value.version ?? body.value.config?.version;
    if (version === undefined) return problem(400, 'invalid-request', 'Name the configuration version applied');
    const { configVersion } = await readReport(server.db, device.account, device);
    // a version the device already holds (or none): posting it again changes nothing
    if (version === 0 || (version <= configVersion && id === undefined)) {
      return c.json({ version: configVersion, status: 'done' });
    }
    return ackAndAnswer(runtime, c, {
      transactionId: version,
      attempt: id?.attempt,
      update: body.value,
      detail: detailOf(body.value.result, body.value.message),
      kind: 'config',
    });
  });
}
