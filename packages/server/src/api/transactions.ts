import { statusString, type Target, type Transaction } from '@fleetkit/txqueue';
import * as v from 'valibot';
import { queueName, type ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { findDevice } from '../store/devices.ts';
import { findGroup } from '../store/groups.ts';
import { type Call, method, type ServerMethod } from './method.ts';
import { account, idString } from './params.ts';

const params = v.object({
  account,
  'device-id': idString,
  // the queue's id: the one a receipt names when the caller sent no transaction-id of its own
  'transaction-id': v.union([
    v.pipe(v.number(), v.integer(), v.minValue(1)),
    v.pipe(
      v.string(),
      v.regex(/^[1-9][0-9]{0,15}$/, 'a transaction id'),
      v.transform((text) => Number(text)),
    ),
  ]),
});

/** The queue target of an account's device or group (manual §5.8: one id namespace for both). */
async function targetOf(server: ServerContext, call: Call, id: string): Promise<Target> {
  if (await findDevice(server.db, call.account, id)) return { device: queueName(call.account, id) };
  if (await findGroup(server.db, call.account, id)) return { group: queueName(call.account, id) };
  return fail(ResultCode.DeviceNotFound, `no device or group ${id} in account ${call.account}`);
}

/** A transaction as a backend sees it: the std-callback fields plus where it stands. */
function view(id: string, tx: Transaction): Record<string, unknown> {
  return {
    'transaction-id': tx.id,
    'device-id': id,
    ...(tx.tag === undefined ? {} : { method: tx.tag }),
    kind: tx.kind,
    state: tx.state,
    'rpc-status': tx.status,
    'rpc-status-string': statusString(tx.status),
    final: tx.final,
    'created-at': new Date(tx.createdAt).toISOString(),
    ...(tx.finishedAt === undefined ? {} : { 'finished-at': new Date(tx.finishedAt).toISOString() }),
    ...(tx.progress === undefined ? {} : { progress: tx.progress }),
    ...(tx.result === undefined ? {} : { 'device-result': tx.result }),
    ...(tx.counts === undefined ? {} : { members: tx.counts }),
  };
}

/**
 * Reading and cancelling a transaction (manual §7.2: "in progress, completed
 * successfully, or failed"), so a backend that missed a callback can ask.
 */
export function transactionMethods(server: ServerContext): ServerMethod[] {
  return [
    method('exodm:get-transaction', {
      summary: "A device's or group's transaction: state, status, and the device's result",
      params,
      handler: async (p, call) => {
        const tx = await server.queue.get(await targetOf(server, call, p['device-id']), p['transaction-id']);
        if (tx === undefined) return fail(ResultCode.ObjectNotFound, `no transaction ${p['transaction-id']}`);
        return { result: ResultCode.Ok, transaction: view(p['device-id'], tx) };
      },
    }),
    method('exodm:cancel-transaction', {
      summary: 'Cancels a transaction: at once while queued, after the device confirms once delivered',
      params,
      handler: async (p, call) => {
        const target = await targetOf(server, call, p['device-id']);
        if ((await server.queue.get(target, p['transaction-id'])) === undefined) {
          return fail(ResultCode.ObjectNotFound, `no transaction ${p['transaction-id']}`);
        }
        const tx = await server.queue.cancel(target, p['transaction-id']);
        return { result: ResultCode.Ok, transaction: view(p['device-id'], tx) };
      },
    }),
  ];
}
