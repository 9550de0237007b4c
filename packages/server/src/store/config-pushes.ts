import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { addTables } from './schema.ts';

addTables(
  // a config set push is one transaction per member: its pending data waits for all of them
  `CREATE TABLE IF NOT EXISTS srv_config_pushes (
    account TEXT NOT NULL,
    config_set TEXT NOT NULL,
    push_id BIGINT NOT NULL,
    waiting BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    PRIMARY KEY (account, config_set, push_id)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_config_push_acks (
    account TEXT NOT NULL,
    config_set TEXT NOT NULL,
    push_id BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (account, config_set, push_id, device_id)
  )`,
);

/** Records how many member transactions a config set push waits for. */
export async function openSetPush(db: SqlExecutor, account: string, set: string, pushId: number, waiting: number) {
  await db.run(
    'INSERT INTO srv_config_pushes (account, config_set, push_id, waiting, failed) VALUES ($1, $2, $3, $4, 0)',
    [account, set, pushId, waiting],
  );
}

/**
 * Counts one member's final outcome of a config set push, once per member
 * (an event delivered twice counts once); returns the push's counts after
 * it, or undefined when this member was already counted or the push is gone.
 */
export async function countSetPushMember(
  db: SqlDriver,
  input: { account: string; set: string; pushId: number; device: string; complete: boolean },
): Promise<{ readonly waiting: number; readonly failed: number } | undefined> {
  return db.transaction(async (tx) => {
    const first = await tx.query(
      `INSERT INTO srv_config_push_acks (account, config_set, push_id, device_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account, config_set, push_id, device_id) DO NOTHING RETURNING device_id`,
      [input.account, input.set, input.pushId, input.device],
    );
    if (first.length === 0) return undefined;
    const rows = await tx.query<{ waiting: number | string; failed: number | string }>(
      `UPDATE srv_config_pushes SET waiting = waiting - 1, failed = failed + $4
       WHERE account = $1 AND config_set = $2 AND push_id = $3 RETURNING waiting, failed`,
      [input.account, input.set, input.pushId, input.complete ? 0 : 1],
    );
    const row = rows[0];
    return row === undefined ? undefined : { waiting: Number(row.waiting), failed: Number(row.failed) };
  });
}

/** Forgets a finished config set push's bookkeeping. */
export async function closeSetPush(db: SqlExecutor, account: string, set: string, pushId: number): Promise<void> {
  await db.run('DELETE FROM srv_config_push_acks WHERE account = $1 AND config_set = $2 AND push_id = $3', [
    account,
    set,
    pushId,
  ]);
  await db.run('DELETE FROM srv_config_pushes WHERE account = $1 AND config_set = $2 AND push_id = $3', [
    account,
    set,
    pushId,
  ]);
}
