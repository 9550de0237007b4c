import type { SqlExecutor } from '@fleetkit/core';
import type { AckOutcome, AckStatus, Transaction, TxEvent } from '@fleetkit/txqueue';
import { queueName, type ServerContext, splitQueueName } from '../context.ts';
import { nextValue } from '../store/counters.ts';
import { type Device, findDevice } from '../store/devices.ts';
import { type TypeArguments, typeAllowance } from '../store/package-targets.ts';
import { findPackage } from '../store/packages.ts';
import {
  type DeviceRef,
  forgetEarlierDevice,
  type Operation,
  replaceInstalled,
  settleOperation,
  startOperation,
} from './device-store.ts';
import { forgetModuleData, installModuleData } from './module-data.ts';
import type { Step, TargetPlan } from './plan.ts';
import { countMember } from './rollout.ts';
import { openRollout } from './rollout-store.ts';

/** The tag (and device command name) of each operation's transactions. */
export const OPERATION_TAGS: Readonly<Record<Operation, string>> = {
  install: 'exodm:install-package',
  upgrade: 'exodm:upgrade-package',
  uninstall: 'exodm:uninstall-package',
  transmit: 'exodm:push-package',
};

/** What a package transaction carries to the device (docs/server.md §Packages). */
export interface OperationPayload {
  readonly operation: Operation;
  readonly 'package-name': string;
  readonly version: string;
  readonly [key: string]: unknown;
}

/** The package and operation a transaction's payload names, or undefined for another payload. */
export function payloadOf(
  transaction: Pick<Transaction, 'kind' | 'payload'> | undefined,
): OperationPayload | undefined {
  if (transaction?.kind !== 'package') return undefined;
  const payload = transaction.payload as Partial<OperationPayload> | null;
  return typeof payload?.['package-name'] === 'string' && typeof payload.operation === 'string'
    ? (payload as OperationPayload)
    : undefined;
}

/**
 * The command a device receives: the operation, the package's identity and
 * image, and where to fetch and report, as paths below the device's own
 * `/v1/devices/{id}/` (one payload serves every member of a group).
 */
function payloadFor(step: Step, args: unknown): OperationPayload {
  const record = step.package;
  const base = `packages/${encodeURIComponent(record.name)}`;
  const image =
    step.operation === 'uninstall'
      ? {}
      : {
          sequence: record.sequence,
          size: record.size,
          'chunk-size': record.chunkSize,
          chunks: record.chunks,
          root: record.root,
          'prerequisite-packages': record.prerequisites,
          manifest: `${base}/manifest`,
          image: `${base}/image`,
          acknowledge: `${base}/chunks`,
        };
  return {
    operation: step.operation,
    'package-name': record.name,
    version: record.version,
    ...image,
    report: `${base}/status`,
    ...(step.from === undefined ? {} : { 'from-package': step.from.name, 'from-version': step.from.version }),
    ...(step.explicit ? {} : { 'as-dependency': true }),
    ...(step.values === undefined ? {} : { values: step.values }),
    ...(args === undefined ? {} : { arguments: args }),
  };
}

/**
 * Records the operation a package transaction starts on a device, unless
 * the device's row saw it (or a newer one) already: a member that joined a
 * group after the install was queued gets its row when it first acts.
 */
export async function ensureOperation(
  db: SqlExecutor,
  account: string,
  device: DeviceRef,
  transaction: Pick<Transaction, 'id' | 'kind' | 'payload'>,
  now: number,
): Promise<OperationPayload | undefined> {
  const payload = payloadOf(transaction);
  if (payload === undefined) return undefined;
  await forgetEarlierDevice(db, account, device);
  await startOperation(db, account, {
    device,
    package: payload['package-name'],
    operation: payload.operation,
    tx: transaction.id,
    explicit: payload['as-dependency'] !== true,
    values: isObject(payload.values) ? payload.values : undefined,
    total: typeof payload.chunks === 'number' ? payload.chunks : 0,
    now,
  });
  return payload;
}

/** One queued transaction, as the request's answer lists it. */
export interface Queued {
  readonly target: string;
  readonly package: string;
  readonly operation: Operation;
  readonly transactionId: number;
}

/** How a request queues its plans. */
export interface QueueOptions {
  readonly timeoutMs: number;
  readonly notify: string | undefined;
  /** The rollout rules of the requested package's step on a group. */
  readonly rollout?: { readonly successThreshold?: number | undefined; readonly abortPercent?: number | undefined };
}

async function argumentsOf(server: ServerContext, account: string, plan: TargetPlan, step: Step): Promise<unknown> {
  const type = plan.target.type;
  if (type === undefined) return undefined;
  const allowed = await typeAllowance(server.db, account, {
    type: type.name,
    typeCreated: type.createdAt,
    package: step.package.name,
  });
  const key: keyof TypeArguments = step.operation === 'transmit' ? 'install' : step.operation;
  return allowed?.[key];
}

/**
 * Queues each plan's steps in order, one package transaction per step
 * (txqueue kind `package`, tagged with the operation): a device works on
 * one transaction at a time in queue order, so dependencies are installed
 * before what needs them. A group's step is one group transaction with a
 * `member` event per member (manual §6.4: mirrored to every member).
 */
export async function queuePlans(
  server: ServerContext,
  account: string,
  plans: readonly TargetPlan[],
  options: QueueOptions,
): Promise<Queued[]> {
  const queued: Queued[] = [];
  for (const plan of plans) {
    for (const step of plan.steps) {
      const name = queueName(account, plan.target.id);
      const { transaction } = await server.queue.enqueue({
        target: plan.target.kind === 'device' ? { device: name } : { group: name },
        kind: 'package',
        payload: payloadFor(step, await argumentsOf(server, account, plan, step)),
        timeoutMs: options.timeoutMs,
        ...(options.notify === undefined ? {} : { notify: options.notify }),
        tag: OPERATION_TAGS[step.operation],
        ...(plan.target.kind === 'group' ? { memberEvents: true } : {}),
      });
      if (plan.target.kind === 'device') {
        await ensureOperation(server.db, account, plan.target.device, transaction, server.clock.now());
      } else {
        const members = new Map(plan.target.members.map((device) => [queueName(account, device.deviceId), device]));
        for (const sub of await server.queue.subTransactions(name, transaction.id, { limit: 100_000 })) {
          const device = 'device' in sub.target ? members.get(sub.target.device) : undefined;
          if (device !== undefined) await ensureOperation(server.db, account, device, sub, server.clock.now());
        }
        if (step.explicit) {
          await openRollout(server.db, account, {
            groupId: plan.target.id,
            txId: transaction.id,
            package: step.package.name,
            total: plan.target.members.length,
            successThreshold: options.rollout?.successThreshold,
            abortPercent: options.rollout?.abortPercent,
          });
        }
      }
      queued.push({
        target: plan.target.id,
        package: step.package.name,
        operation: step.operation,
        transactionId: transaction.id,
      });
    }
  }
  return queued;
}

/** The package-status of a finished operation (reference names of the 2.x package-operation-notification). */
const DONE: Readonly<Record<Operation, string>> = {
  install: 'installed',
  upgrade: 'upgraded',
  uninstall: 'uninstalled',
  transmit: 'transmitted',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The package-status a failed operation ends with: the one reported, else what the queue's status says. */
export function failureStatus(operation: Operation, status: string, result: unknown): string {
  const reported = isObject(result) ? result['package-status'] : undefined;
  if (typeof reported === 'string' && !Object.values(DONE).includes(reported)) return reported;
  if (status === 'time-out') return 'timeout';
  return `${operation}-failed`;
}

function reasonOf(status: string, result: unknown): string | undefined {
  if (isObject(result)) {
    const reason = result.reason ?? result.message;
    if (typeof reason === 'string') return reason;
  }
  return status === 'complete' ? undefined : status;
}

/**
 * Ends a device's package operation when its transaction ended (manual
 * §6.3: the installed set changes only when the device confirmed): on
 * `complete` the package joins or leaves the installed set, the
 * configuration data its module gives the device is created (install,
 * upgrade) or forgotten (uninstall); any other end keeps the installed set
 * and records why. Idempotent: a transaction settles its row once.
 */
export async function settle(
  server: ServerContext,
  account: string,
  end: { readonly device: DeviceRef; readonly transaction: Transaction },
): Promise<void> {
  const payload = payloadOf(end.transaction);
  if (payload === undefined || !end.transaction.final) return;
  const complete = end.transaction.status === 'complete';
  const record = await findPackage(server.db, account, payload['package-name']);
  const now = server.clock.now();
  await server.db.transaction(async (tx) => {
    await ensureOperation(tx, account, end.device, end.transaction, now);
    const before = await settleOperation(tx, account, {
      device: end.device,
      package: payload['package-name'],
      tx: end.transaction.id,
      complete,
      status: complete
        ? DONE[payload.operation]
        : failureStatus(payload.operation, end.transaction.status, end.transaction.result),
      version: payload.version,
      reason: reasonOf(end.transaction.status, end.transaction.result),
      now,
    });
    if (before === undefined || !complete || record === undefined) return;
    const id = end.device.deviceId;
    if (payload.operation === 'upgrade' && typeof payload['from-package'] === 'string') {
      const from = await findPackage(tx, account, payload['from-package']);
      await replaceInstalled(tx, account, { device: end.device, from: payload['from-package'], to: record.name, now });
      if (from?.module !== undefined && from.module !== record.module)
        await forgetModuleData(tx, account, id, from.module);
    }
    if (payload.operation === 'uninstall' && record.module !== undefined) {
      await forgetModuleData(tx, account, id, record.module);
    }
    if ((payload.operation === 'install' || payload.operation === 'upgrade') && record.module !== undefined) {
      // manual §5.6 item 2: installing creates the device's configuration data of the package
      const pushId = await nextValue(tx, account, 'config-push');
      await installModuleData(tx, account, {
        device: id,
        module: record.module,
        values: before.opValues ?? {},
        pushId,
        now,
      });
    }
  });
}

/**
 * Acknowledges a device's package transaction for it (the package routes
 * turn the device's reports into acks), under its current attempt, and
 * settles the device's operation at once when the ack ends it.
 */
export async function ackOperation(
  server: ServerContext,
  device: Device,
  ack: { readonly transaction: Transaction; readonly status: AckStatus; readonly detail: Record<string, unknown> },
): Promise<AckOutcome> {
  const outcome = await server.queue.ack(queueName(device.account, device.deviceId), {
    transactionId: ack.transaction.id,
    attempt: ack.transaction.attempt,
    status: ack.status,
    ...(ack.status === 'progress' ? { progress: ack.detail } : { result: ack.detail }),
  });
  if (outcome.outcome !== 'rejected' && outcome.transaction.final) {
    await settle(server, device.account, { device, transaction: outcome.transaction });
  }
  return outcome;
}

/**
 * Follows package transactions to their end, whoever acknowledged them (the
 * package routes, a device's `POST /command`, a timeout, a cancel): a
 * device's `final` event, and a group's `member` events, settle the
 * device's operation; a member's outcome also counts towards its rollout.
 */
export function watchPackageTransactions(server: ServerContext): () => void {
  return server.queue.subscribe(async (event: TxEvent) => {
    if (event.kind !== 'package') return;
    const member = event.type === 'member' ? event.member : undefined;
    const target =
      member?.device ?? ('device' in event.target && event.type === 'final' ? event.target.device : undefined);
    if (target === undefined) return;
    const { account, id } = splitQueueName(target);
    const transaction = await server.queue.get({ device: target }, member?.transactionId ?? event.transactionId);
    const device = await findDevice(server.db, account, id);
    if (transaction !== undefined && device !== undefined) await settle(server, account, { device, transaction });
    if (member !== undefined && 'group' in event.target) {
      await countMember(server, account, {
        group: splitQueueName(event.target.group).id,
        txId: event.transactionId,
        device: id,
        status: event.status,
        rollout: payloadOf(transaction) !== undefined && payloadOf(transaction)?.['as-dependency'] !== true,
      });
    }
  });
}
