import type { Delivery, TxEvent } from '@fleetkit/txqueue';
import * as v from 'valibot';
import { queueName, type ServerContext, splitQueueName } from '../context.ts';
import { acceptedReceipt, clientIdOf, timerMs } from '../modules/std-request.ts';
import { type CompiledModule, modulesOf } from '../modules.ts';
import { fail, ResultCode } from '../result-code.ts';
import {
  type Area,
  committedValues,
  findTarget,
  groupsOf,
  installPush,
  latestValues,
  mergePatch,
  type Owner,
  readArea,
  restorePush,
  takeStaged,
  type Values,
  writeStaged,
} from '../store/config.ts';
import { closeSetPush, countSetPushMember } from '../store/config-pushes.ts';
import { nextValue } from '../store/counters.ts';
import { queueOutcome } from './device-rpcs.ts';
import { type Call, method, type ServerMethod } from './method.ts';
import { idString, jsonObject, notificationUrl } from './params.ts';

/** The tag of a 2.x push's transaction: its callbacks are `exodm:push-config-data-callback`. */
export const PUSH_CONFIG_DATA = 'exodm:push-config-data';

/** What a pushed `config` transaction carries (manual §7.2 Fig. 9 step 8: both updates in one transaction). */
export interface ConfigPayload {
  /** The push that made the data pending; the server finds the pending data by it when the device acknowledges. */
  readonly 'push-id': number;
  /** The 1.x config set pushed, when it is one. */
  readonly 'config-set'?: string;
  readonly updates: readonly { readonly module: string; readonly values: Values }[];
}

const values = jsonObject;

/** The device or group of a request: `device-id`, or the older `dev-id` (docs/sources.md, the real exodm server item 3). */
export const targetParams = {
  'device-id': v.optional(idString),
  'dev-id': v.optional(idString),
};

export function targetOf(p: { 'device-id'?: string | undefined; 'dev-id'?: string | undefined }): string {
  return p['device-id'] ?? p['dev-id'] ?? fail(ResultCode.MissingOption, 'name the device or group with device-id');
}

/** The exosense `timer` of a request: integer milliseconds or `{in 30 sec}`. */
export const timer = v.pipe(
  v.union([v.number(), v.string()]),
  v.check((value) => timerMs(value) !== undefined, 'a timer: milliseconds, or {in <n> <unit>}'),
  v.transform((value) => timerMs(value) as number),
);

/** A caller's `transaction-id` (uint64, as a number or text), kept as the queue's client id. */
export const transactionId = v.pipe(
  v.union([v.number(), v.string()]),
  v.check((value) => clientIdOf(value) !== undefined, 'a transaction id (uint64)'),
  v.transform((value) => clientIdOf(value) as string),
);

/** `rfzone`, `rfzone.yang` or `rfzone@2013-01-01.yang`: the module name. */
export function moduleName(reference: string): string {
  const bare = reference.endsWith('.yang') ? reference.slice(0, -'.yang'.length) : reference;
  const at = bare.indexOf('@');
  return at < 0 ? bare : bare.slice(0, at);
}

/** Top-level members may be written `module:name` (RFC 7951) or bare; they are stored bare. */
export function bareValues(module: string, given: Values): Values {
  const out: Values = {};
  for (const [key, value] of Object.entries(given)) {
    out[key.startsWith(`${module}:`) ? key.slice(module.length + 1) : key] = value;
  }
  return out;
}

/** Issue kinds a part of the data cannot be judged by: what other updates, a group or the device may still supply. */
const INCOMPLETE = new Set(['mandatory', 'min-elements', 'leafref', 'instance-required']);

/**
 * Checks one owner's values of a module as configuration data, as a part
 * of the whole (docs/server.md): any issue but a missing node or an
 * unresolved reference is `validation-failed` with the YANG path.
 */
export async function checkValues(compiled: CompiledModule, own: Values): Promise<void> {
  const doc: Values = {};
  for (const [key, value] of Object.entries(own)) doc[key.includes(':') ? key : `${compiled.module}:${key}`] = value;
  const result = await compiled.validateConfig(doc);
  const issue = result.issues.find((i) => !INCOMPLETE.has(i.kind));
  if (issue !== undefined) fail(ResultCode.ValidationFailed, `${issue.path}: ${issue.message}`);
}

async function compiledOr404(server: ServerContext, account: string, module: string): Promise<CompiledModule> {
  const compiled = await modulesOf(server).compiled(account, module);
  if (compiled === undefined) fail(ResultCode.ObjectNotFound, `no yang module ${module}`);
  return compiled;
}

async function targetKind(server: ServerContext, call: Call, id: string): Promise<'device' | 'group'> {
  const kind = await findTarget(server.db, call.account, id);
  if (kind === undefined) fail(ResultCode.DeviceNotFound, `${id} names no device or group`);
  return kind;
}

/**
 * A device's values of a module as its groups give them (in the order it
 * joined them, later ones winning) with its own on top, leaf by leaf
 * (manual §5.8).
 */
async function withGroupDefaults(server: ServerContext, account: string, device: string, module: string, own: Values) {
  let merged: unknown = {};
  for (const group of await groupsOf(server.db, account, device)) {
    const defaults = await committedValues(server.db, { account, scope: 'target', id: group }, module);
    if (defaults !== undefined) merged = mergePatch(merged, defaults);
  }
  return mergePatch(merged, own) as Values;
}

/**
 * A target's staged values of a module after an update (update-config-data,
 * manual §7.1 step 1): `given` merged over its latest values as a JSON Merge
 * Patch, checked as configuration data; nothing is written.
 */
export async function stagedUpdate(
  server: ServerContext,
  owner: Owner,
  compiled: CompiledModule,
  given: Values,
): Promise<Values> {
  const staged = mergePatch(
    (await latestValues(server.db, owner, compiled.module)) ?? {},
    bareValues(compiled.module, given),
  ) as Values;
  await checkValues(compiled, staged);
  return staged;
}

/** How a push is queued and reported. */
export interface PushOptions {
  readonly timeoutMs: number;
  readonly notify: string | undefined;
  /** The caller's `transaction-id`, kept as the queue's client id. */
  readonly clientId: string | undefined;
  /** The RPC the push stands for: its callbacks are `<tag>-callback`. */
  readonly tag: string;
}

/**
 * Queues every staged module of a device or group as one `config`
 * transaction (push-config-data, manual §7.2 Fig. 9 step 8) and resolves to
 * its id. Nothing staged is `object-not-found`; a queue refusal puts the
 * values back to staged and is thrown as its business outcome.
 */
export async function pushStaged(
  server: ServerContext,
  account: string,
  target: { readonly id: string; readonly kind: 'device' | 'group' },
  options: PushOptions,
): Promise<number> {
  const { id, kind } = target;
  const owner: Owner = { account, scope: 'target', id };
  const pushId = await nextValue(server.db, account, 'config-push');
  const taken = await takeStaged(server.db, owner, pushId, server.clock.now());
  if (taken.length === 0) fail(ResultCode.ObjectNotFound, `nothing is staged for ${id}`);
  try {
    const updates = [];
    for (const update of taken) {
      // a group's members merge their own values in when the transaction is delivered (deliveryPayload)
      const merged =
        kind === 'device' ? await withGroupDefaults(server, account, id, update.module, update.values) : update.values;
      updates.push({ module: update.module, values: merged });
    }
    const payload: ConfigPayload = { 'push-id': pushId, updates };
    const name = queueName(account, id);
    const { transaction } = await server.queue.enqueue({
      target: kind === 'device' ? { device: name } : { group: name },
      kind: 'config',
      payload,
      timeoutMs: options.timeoutMs,
      ...(options.notify === undefined ? {} : { notify: options.notify }),
      ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
      tag: options.tag,
      ...(kind === 'group' ? { memberEvents: true } : {}),
    });
    return transaction.id;
  } catch (error) {
    await restorePush(server.db, owner, pushId, server.clock.now());
    throw queueOutcome(error);
  }
}

/** Configuration data per device or group and module (manual §7.1, §7.2 Fig. 9, §5.8). */
export function configDataMethods(server: ServerContext): ServerMethod[] {
  const moduleParams = {
    module: v.optional(idString),
    'package-name': v.optional(idString),
    package: v.optional(idString),
  };
  const moduleOf = (p: {
    module?: string | undefined;
    'package-name'?: string | undefined;
    package?: string | undefined;
  }) => moduleName(p.module ?? p['package-name'] ?? p.package ?? fail(ResultCode.MissingOption, 'name the module'));
  return [
    method('exodm:update-config-data', {
      summary: 'Stages values of a module for a device or group, without sending them (manual §7.1 step 1)',
      params: v.object({ account: v.optional(idString), ...targetParams, ...moduleParams, values }),
      handler: async (p, call) => {
        const id = targetOf(p);
        await targetKind(server, call, id);
        const compiled = await compiledOr404(server, call.account, moduleOf(p));
        const owner: Owner = { account: call.account, scope: 'target', id };
        const staged = await stagedUpdate(server, owner, compiled, p.values);
        await writeStaged(server.db, owner, compiled.module, staged, server.clock.now());
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:push-config-data', {
      summary: 'Queues every staged update of a device or group as one config transaction (Fig. 9 step 8)',
      params: v.object({
        account: v.optional(idString),
        ...targetParams,
        timeout: v.optional(timer),
        'notification-url': v.optional(notificationUrl),
        'transaction-id': v.optional(transactionId),
      }),
      handler: async (p, call) => {
        const id = targetOf(p);
        const kind = await targetKind(server, call, id);
        const transactionId = await pushStaged(
          server,
          call.account,
          { id, kind },
          {
            timeoutMs: p.timeout ?? server.settings.defaultTimeoutMs,
            notify: p['notification-url'],
            clientId: p['transaction-id'],
            tag: PUSH_CONFIG_DATA,
          },
        );
        return { result: ResultCode.Ok, ...acceptedReceipt(p['transaction-id'] ?? String(transactionId)) };
      },
    }),
    method('exodm:read-config-data', {
      summary: "A device's or group's own values of a module in one area: staged, pending or installed",
      params: v.object({
        account: v.optional(idString),
        ...targetParams,
        ...moduleParams,
        area: v.optional(v.picklist(['staged', 'pending', 'installed']), 'installed'),
      }),
      handler: async (p, call) => {
        const id = targetOf(p);
        await targetKind(server, call, id);
        const compiled = await compiledOr404(server, call.account, moduleOf(p));
        const owner: Owner = { account: call.account, scope: 'target', id };
        const found = await readArea(server.db, owner, compiled.module, p.area as Area);
        return { result: ResultCode.Ok, values: found ?? {} };
      },
    }),
  ];
}

function pushOf(payload: unknown): ConfigPayload | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const push = payload as Partial<ConfigPayload>;
  return typeof push['push-id'] === 'number' && Array.isArray(push.updates) ? (push as ConfigPayload) : undefined;
}

/**
 * What a device receives for a delivery: a config transaction's updates
 * with the device's own values merged over a group's (manual §5.8: group
 * defaults, per-device personalisation), at delivery, so that a device that
 * joined the group after the push gets its own values too. Device plugins
 * send this instead of `delivery.payload`.
 */
export async function deliveryPayload(server: ServerContext, device: string, delivery: Delivery): Promise<unknown> {
  const push = delivery.kind === 'config' && delivery.parent !== undefined ? pushOf(delivery.payload) : undefined;
  if (push === undefined) return delivery.payload;
  const { account, id } = splitQueueName(device);
  const updates = [];
  for (const update of push.updates) {
    const own = await latestValues(server.db, { account, scope: 'target', id }, update.module);
    updates.push({ module: update.module, values: own === undefined ? update.values : mergePatch(update.values, own) });
  }
  return { ...push, updates };
}

/**
 * Moves pushed data on when its transaction ends (manual §7.1 step 5,
 * Fig. 9 steps 16–18): `complete` installs it; any other end (a device
 * error, `time-out`, `cancelled`) installs nothing and puts it back to
 * staged for the next push. A group push installs the group's data only
 * when every member completed. A 1.x config set push, one transaction per
 * member, installs when the last member completed.
 */
export function watchConfigTransactions(server: ServerContext): () => void {
  return server.queue.subscribe(async (event: TxEvent) => {
    if (!event.final || event.kind !== 'config') return;
    const transaction = await server.queue.get(event.target, event.transactionId);
    const push = pushOf(transaction?.payload);
    if (push === undefined) return;
    const name = 'device' in event.target ? event.target.device : event.target.group;
    const { account, id } = splitQueueName(name);
    const complete = event.status === 'complete';
    const now = server.clock.now();
    const set = push['config-set'];
    if (set === undefined) {
      const owner: Owner = { account, scope: 'target', id };
      if (complete) await installPush(server.db, owner, push['push-id'], now);
      else await restorePush(server.db, owner, push['push-id'], now);
      return;
    }
    const counts = await countSetPushMember(server.db, { account, set, pushId: push['push-id'], device: id, complete });
    if (counts === undefined || counts.waiting > 0) return;
    await finishSetPush(server, { account, scope: 'config-set', id: set }, push['push-id'], counts.failed === 0);
  });
}

/** Installs or restores a config set push whose member transactions have all ended. */
export async function finishSetPush(server: ServerContext, owner: Owner, pushId: number, complete: boolean) {
  const now = server.clock.now();
  if (complete) await installPush(server.db, owner, pushId, now);
  else await restorePush(server.db, owner, pushId, now);
  await closeSetPush(server.db, owner.account, owner.id, pushId);
}
