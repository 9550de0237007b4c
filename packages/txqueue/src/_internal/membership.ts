import { cancelRows } from './cancel.ts';
import type { Operation } from './context.ts';
import { deviceKey, groupKey } from './keys.ts';
import type { TxRow } from './rows.ts';

// The membership rule (README "Group transactions"): a group transaction's
// members are the group's members when it was enqueued; the server reports
// later changes, and then a device that joins receives every open group
// transaction of the group (not one being cancelled) under the parent's
// deadline, and a device that leaves has its open sub-transactions
// cancelled, which do not count against the group's outcome.

/** Adds sub-transactions for a device that joined; returns how many. */
export async function joinGroup(operation: Operation, group: string, device: string): Promise<number> {
  const { sql, now } = operation;
  const parents = await sql.query<TxRow>(
    `SELECT * FROM txq_tx WHERE target = $1 AND finished_at IS NULL AND state <> 'cancelling' AND deadline > $2 ORDER BY id`,
    [groupKey(group), now],
  );
  let added = 0;
  for (const parent of parents) {
    const [has] = await sql.query(
      'SELECT 1 AS x FROM txq_tx WHERE parent_target = $1 AND parent_id = $2 AND target = $3',
      [parent.target, parent.id, deviceKey(device)],
    );
    if (has) continue;
    await sql.run('UPDATE txq_tx SET total = total + 1, updated_at = $3 WHERE target = $1 AND id = $2', [
      parent.target,
      parent.id,
      now,
    ]);
    await operation.context.dialect.insertSubTransactions(operation, [device], {
      parent,
      deadline: Number(parent.deadline),
    });
    added++;
  }
  return added;
}

/** Cancels the open sub-transactions of a device that left the group. */
export async function leaveGroup(operation: Operation, group: string, device: string): Promise<void> {
  await cancelRows(operation, 'target = $1 AND parent_target = $2', [deviceKey(device), groupKey(group)]);
}
