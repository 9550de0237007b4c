import type { SqlExecutor } from '@fleetkit/core';

/**
 * Next value of a per-account counter (request ids of device-originated
 * RPCs, the order in which devices join groups). One upsert, atomic on both
 * dialects, so processes sharing PostgreSQL never hand out a value twice.
 */
export async function nextValue(db: SqlExecutor, account: string, name: string): Promise<number> {
  const rows = await db.query<{ value: number | string }>(
    `INSERT INTO srv_counters (account, name, value) VALUES ($1, $2, 1)
     ON CONFLICT (account, name) DO UPDATE SET value = srv_counters.value + 1
     RETURNING value`,
    [account, name],
  );
  return Number(rows[0]!.value);
}
