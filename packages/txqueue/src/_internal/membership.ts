import type { SqlExecutor } from '@fleetkit/core';
import { cancelRows } from './cancel.ts';
import type { Ctx, Effects } from './context.ts';
import { fanOut } from './enqueue.ts';
import { deviceKey, groupKey } from './keys.ts';
import type { TxRow } from './rows.ts';

// The membership rule (README "Group transactions"): a group transaction's
// members are the group's members when it was enqueued; the server reports
// later changes, and then a device that joins receives every open group
// transaction of the group (not one being cancelled) under the parent's
// deadline, and a device that leaves has its open sub-transactions
// cancelled, which do not count against the group's outcome.

/** Adds sub-transactions for a device that joined; returns how many. */
export async function joinGroup(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  group: string,
  device: string,
  now: number,
): Promise<number> {
  const parents = await tx.query<TxRow>(
    `SELECT * FROM txq_tx WHERE target = $1 AND finished_at IS NULL AND state <> 'cancelling' AND deadline > $2 ORDER BY id`,
    [groupKey(group), now],
  );
  let added = 0;
  for (const p of parents) {
    const [has] = await tx.query(
      'SELECT 1 AS x FROM txq_tx WHERE parent_target = $1 AND parent_id = $2 AND target = $3',
      [p.target, p.id, deviceKey(device)],
    );
    if (has) continue;
    await tx.run('UPDATE txq_tx SET total = total + 1, updated_at = $3 WHERE target = $1 AND id = $2', [
      p.target,
      p.id,
      now,
    ]);
    await fanOut(tx, ctx, fx, [device], { parent: p, deadline: Number(p.deadline) }, now);
    added++;
  }
  return added;
}

/** Cancels the open sub-transactions of a device that left the group. */
export async function leaveGroup(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  group: string,
  device: string,
  now: number,
): Promise<void> {
  await cancelRows(tx, ctx, fx, 'target = $1 AND parent_target = $2', [deviceKey(device), groupKey(group)], now);
}
