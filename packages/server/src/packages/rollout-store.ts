import type { SqlExecutor } from '@fleetkit/core';
import { addTables } from '../store/schema.ts';

addTables(
  // a group install's rollout: the members' outcomes so far and its rules
  `CREATE TABLE IF NOT EXISTS srv_package_rollouts (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    tx_id BIGINT NOT NULL,
    package TEXT NOT NULL,
    total BIGINT NOT NULL,
    succeeded BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    cancelled BIGINT NOT NULL,
    success_threshold BIGINT,
    abort_percent BIGINT,
    aborted INTEGER NOT NULL,
    PRIMARY KEY (account, group_id, tx_id)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_package_rollout_members (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    tx_id BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (account, group_id, tx_id, device_id)
  )`,
);

/** A group rollout's counts and rules (install on a group). */
export interface Rollout {
  readonly groupId: string;
  readonly txId: number;
  readonly package: string;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Members whose share was cancelled (they left the group, or the rollout stopped before them). */
  readonly cancelled: number;
  /** Percent of members that must succeed for the rollout to count as a success. */
  readonly successThreshold: number | undefined;
  /** Members still queued are cancelled once more than this percent failed. */
  readonly abortPercent: number | undefined;
  readonly aborted: boolean;
}

type RolloutRow = {
  group_id: string;
  tx_id: number | string;
  package: string;
  total: number | string;
  succeeded: number | string;
  failed: number | string;
  cancelled: number | string;
  success_threshold: number | string | null;
  abort_percent: number | string | null;
  aborted: number | string;
};

function rolloutOf(row: RolloutRow): Rollout {
  return {
    groupId: row.group_id,
    txId: Number(row.tx_id),
    package: row.package,
    total: Number(row.total),
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    successThreshold: row.success_threshold === null ? undefined : Number(row.success_threshold),
    abortPercent: row.abort_percent === null ? undefined : Number(row.abort_percent),
    aborted: Number(row.aborted) === 1,
  };
}

/** Records a group rollout when its transaction is queued. */
export async function openRollout(
  db: SqlExecutor,
  account: string,
  rollout: Omit<Rollout, 'succeeded' | 'failed' | 'cancelled' | 'aborted'>,
) {
  await db.run(
    `INSERT INTO srv_package_rollouts (account, group_id, tx_id, package, total, succeeded, failed, cancelled,
       success_threshold, abort_percent, aborted) VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6, $7, 0)`,
    [
      account,
      rollout.groupId,
      rollout.txId,
      rollout.package,
      rollout.total,
      rollout.successThreshold ?? null,
      rollout.abortPercent ?? null,
    ],
  );
}

/** A group's rollouts of a package, newest first. */
export async function rolloutsOf(db: SqlExecutor, account: string, group: string, pkg: string): Promise<Rollout[]> {
  const rows = await db.query<RolloutRow>(
    `SELECT group_id, tx_id, package, total, succeeded, failed, cancelled, success_threshold, abort_percent, aborted
     FROM srv_package_rollouts WHERE account = $1 AND group_id = $2 AND package = $3 ORDER BY tx_id DESC`,
    [account, group, pkg],
  );
  return rows.map(rolloutOf);
}

/** One rollout, or undefined (the transaction was no package rollout). */
export async function findRollout(db: SqlExecutor, account: string, group: string, txId: number) {
  const rows = await db.query<RolloutRow>(
    `SELECT group_id, tx_id, package, total, succeeded, failed, cancelled, success_threshold, abort_percent, aborted
     FROM srv_package_rollouts WHERE account = $1 AND group_id = $2 AND tx_id = $3`,
    [account, group, txId],
  );
  return rows[0] === undefined ? undefined : rolloutOf(rows[0]);
}

/**
 * Counts one member's outcome once (an event delivered twice counts once);
 * the rollout after it, or undefined when this member was counted already.
 * Run it in a transaction: a rollout not stored yet counts nothing.
 */
export async function countRolloutMember(
  db: SqlExecutor,
  account: string,
  member: {
    readonly group: string;
    readonly txId: number;
    readonly device: string;
    readonly outcome: 'succeeded' | 'failed' | 'cancelled';
  },
): Promise<Rollout | undefined> {
  const first = await db.query(
    `INSERT INTO srv_package_rollout_members (account, group_id, tx_id, device_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, group_id, tx_id, device_id) DO NOTHING RETURNING device_id`,
    [account, member.group, member.txId, member.device],
  );
  if (first.length === 0) return undefined;
  const rows = await db.query<RolloutRow>(
    `UPDATE srv_package_rollouts SET succeeded = succeeded + $4, failed = failed + $5, cancelled = cancelled + $6
     WHERE account = $1 AND group_id = $2 AND tx_id = $3
     RETURNING group_id, tx_id, package, total, succeeded, failed, cancelled, success_threshold, abort_percent, aborted`,
    [
      account,
      member.group,
      member.txId,
      member.outcome === 'succeeded' ? 1 : 0,
      member.outcome === 'failed' ? 1 : 0,
      member.outcome === 'cancelled' ? 1 : 0,
    ],
  );
  return rows[0] === undefined ? undefined : rolloutOf(rows[0]);
}

/** Marks a rollout aborted; false when it already was. */
export async function abortRollout(db: SqlExecutor, account: string, group: string, txId: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_package_rollouts SET aborted = 1 WHERE account = $1 AND group_id = $2 AND tx_id = $3 AND aborted = 0
     RETURNING tx_id`,
    [account, group, txId],
  );
  return rows.length > 0;
}
