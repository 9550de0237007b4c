import { Batcher } from '../../_internal/batch.ts';
import type { Context } from '../../_internal/context.ts';
import type { TxRow } from '../../_internal/rows.ts';
import type { Delivery } from '../../types.ts';
import type { Enqueued, FastPaths } from '../dialect.ts';
import { type AckItem, ackMany, type CallInItem, callInMany, type EnqueueItem, enqueueMany } from './fast-batch.ts';
import { PlanGate } from './plan-gate.ts';

/**
 * The fast paths of one engine: each kind of call goes through its own
 * group commit (batch.ts), so concurrent calls share one statement and one
 * commit (fast-batch.ts), and a lone call runs its single-row one (fast.ts).
 */
export function postgresFastPaths(context: Context): FastPaths {
  const plans = new PlanGate();
  const enqueues = new Batcher<EnqueueItem, Enqueued | undefined>(
    (items) => enqueueMany(context, items),
    () => undefined,
  );
  // the same ack twice at once: the second waits for the first's commit and is then a duplicate
  const acks = new Batcher<AckItem, TxRow | undefined>(
    (items) => ackMany(context, plans, items),
    (item) => `${item.key}#${item.ack.transactionId}`,
  );
  // one call-in per device in a batch: a statement's own row locks do not skip
  const callIns = new Batcher<CallInItem, { deliveries: Delivery[]; due: number }>(
    (items) => callInMany(context, plans, items),
    (item) => item.key,
  );
  return {
    enqueue: (transaction, now) => enqueues.run({ transaction, now }),
    ack: (key, ack, now) => acks.run({ key, ack, now }),
    callIn: (key, limit, now) => callIns.run({ key, limit, now }),
    refresh: () => plans.refresh(context.storage),
  };
}
