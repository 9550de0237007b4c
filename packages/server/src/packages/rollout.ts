import { queueName, type ServerContext } from '../context.ts';
import { abortRollout, countRolloutMember, type Rollout } from './rollout-store.ts';

/** A rollout's state as get-package-status reports it. */
export type RolloutState = 'running' | 'succeeded' | 'failed' | 'aborted';

/**
 * Where a group rollout stands: `aborted` once its abort rule stopped it;
 * when every member finished, `succeeded` if at least `success-threshold`
 * percent of the members counted (cancelled ones are not) succeeded
 * (default: all of them), else `failed`; `running` before.
 */
export function rolloutState(rollout: Rollout): RolloutState {
  if (rollout.aborted) return 'aborted';
  if (rollout.succeeded + rollout.failed + rollout.cancelled < rollout.total) return 'running';
  const counted = rollout.succeeded + rollout.failed;
  const threshold = rollout.successThreshold ?? 100;
  return counted === 0 || rollout.succeeded * 100 >= threshold * counted ? 'succeeded' : 'failed';
}

/** The error txqueue retries: the member event came before its rollout was stored. */
class RolloutNotStored extends Error {}

/**
 * Counts a member's outcome towards the group rollout of its transaction
 * and applies the abort rule: once more than `abort-failure-percent` of the
 * members failed, every member whose share is still queued (it has not
 * fetched it) is cancelled, so no further device starts the package. A
 * member of a transaction that is no rollout (a dependency's) counts nowhere.
 */
export async function countMember(
  server: ServerContext,
  account: string,
  member: {
    readonly group: string;
    readonly txId: number;
    readonly device: string;
    readonly status: string;
    readonly rollout: boolean;
  },
): Promise<void> {
  const outcome = member.status === 'complete' ? 'succeeded' : member.status === 'cancelled' ? 'cancelled' : 'failed';
  const after = await server.db.transaction(async (tx) => {
    const counted = await countRolloutMember(tx, account, { ...member, outcome });
    if (counted === undefined && member.rollout) {
      const stored = await tx.query(
        'SELECT 1 FROM srv_package_rollouts WHERE account = $1 AND group_id = $2 AND tx_id = $3',
        [account, member.group, member.txId],
      );
      // rolled back with the member's mark: the event comes again once the rollout is stored
      if (stored.length === 0) throw new RolloutNotStored(`rollout ${member.group}/${member.txId} is not stored yet`);
    }
    return counted;
  });
  if (after === undefined || after.aborted || after.abortPercent === undefined) return;
  if (after.failed * 100 <= after.abortPercent * after.total) return;
  if (!(await abortRollout(server.db, account, member.group, member.txId))) return;
  const group = queueName(account, member.group);
  server.logger.info('package rollout aborted: too many members failed', {
    account,
    group: member.group,
    transactionId: member.txId,
    failed: after.failed,
    total: after.total,
  });
  for (const sub of await server.queue.subTransactions(group, member.txId, { limit: 100_000 })) {
    if (sub.state === 'queued' && 'device' in sub.target) await server.queue.cancel(sub.target, sub.id);
  }
}
