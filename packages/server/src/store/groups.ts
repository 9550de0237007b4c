import type { SqlExecutor } from '@fleetkit/core';
import type { GroupResolver } from '@fleetkit/txqueue';
import { queueName, splitQueueName } from '../context.ts';

/** Member device ids of an account's group, in id order. */
export async function groupMembers(db: SqlExecutor, account: string, group: string): Promise<string[]> {
  const rows = await db.query<{ device_id: string }>(
    'SELECT device_id FROM srv_group_members WHERE account = $1 AND group_id = $2 ORDER BY device_id',
    [account, group],
  );
  return rows.map((row) => row.device_id);
}

/** txqueue's view of group membership: its group and device names are `account/id` (context.ts). */
export function groupMembersResolver(db: SqlExecutor): GroupResolver {
  return {
    async members(name) {
      const { account, id } = splitQueueName(name);
      return (await groupMembers(db, account, id)).map((device) => queueName(account, device));
    },
  };
}
