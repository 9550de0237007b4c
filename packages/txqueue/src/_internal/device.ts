// What a device does: call in for its transactions (long-polling when there
// are none) and ack them; the holds that redeliver an unacked one follow both.
import type { AckInput, AckOutcome, CallInOptions, Delivery } from '../types.ts';
import { checkAck, checkCount, checkId, checkName } from '../validate.ts';
import { applyAck } from './ack.ts';
import { claimDeliveries } from './callin.ts';
import type { Engine } from './engine.ts';
import { expireDevice } from './expire.ts';
import { deviceKey } from './keys.ts';

/** See {@link TxQueue.callIn}. */
export async function callIn(engine: Engine, device: string, options: CallInOptions): Promise<Delivery[]> {
  const key = deviceKey(checkName(device, 'device'));
  const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
  const waitMs = options.waitMs === undefined ? 0 : checkId(options.waitMs, 'options.waitMs');
  const clock = engine.context.clock;
  const until = clock.monotonic() + waitMs;
  let registered = false;
  for (;;) {
    const remaining = until - clock.monotonic();
    const waiter =
      remaining > 0 && !options.signal?.aborted ? engine.waiters.wait(key, remaining, options.signal) : undefined;
    // before the first look: enqueues in other processes NOTIFY only for registered waits (wake.ts)
    if (waiter !== undefined && !registered) {
      registered = true;
      try {
        await engine.wakeups.register([key], remaining);
      } catch (error) {
        waiter.cancel();
        throw error;
      }
    }
    const fastPaths = engine.fastPaths;
    const out = fastPaths
      ? await engine.fast(async (effects, now) => {
          const got = await fastPaths.callIn(key, limit, now);
          effects.events = got.deliveries.length;
          // overdue ones are never handed out; they end here, not at the next sweep
          if (got.due > 0) await engine.write((operation) => expireDevice(operation, key));
          return got.deliveries;
        })
      : await engine.write((operation) => claimDeliveries(operation, key, limit));
    if (out.length > 0 || waiter === undefined) {
      waiter?.cancel();
      const heldUntil = clock.now() + engine.context.redeliverAfterMs;
      for (const delivery of out) engine.holds.hold(key, delivery.transactionId, heldUntil);
      return out;
    }
    await waiter.promise;
  }
}

/** See {@link TxQueue.ack}. */
export async function acknowledge(engine: Engine, device: string, input: AckInput): Promise<AckOutcome> {
  const key = deviceKey(checkName(device, 'device'));
  const ack = checkAck(input);
  const fastPaths = engine.fastPaths;
  if (fastPaths && ack.status !== 'progress' && ack.status !== 'cancelled') {
    const row = await engine.fast(async (effects, now) => {
      const done = await fastPaths.ack(key, ack, now);
      if (done) effects.events = 1;
      return done;
    });
    if (row) {
      engine.holds.release(key, ack.transactionId);
      return { outcome: 'applied', transaction: await engine.view(row) };
    }
  }
  const raw = await engine.write((operation) => applyAck(operation, key, ack));
  if (raw.row?.finished_at != null) engine.holds.release(key, ack.transactionId);
  else if (raw.outcome === 'applied' && raw.row?.lease_until != null)
    engine.holds.hold(key, ack.transactionId, Number(raw.row.lease_until));
  const transaction = raw.row ? await engine.view(raw.row) : undefined;
  if (raw.outcome === 'rejected') {
    engine.context.logger.warn('ack rejected', {
      device,
      transactionId: ack.transactionId,
      attempt: ack.attempt,
      status: ack.status,
      reason: raw.reason,
    });
    return { outcome: 'rejected', reason: raw.reason, ...(transaction ? { transaction } : {}) };
  }
  return { outcome: raw.outcome, transaction: transaction! };
}
