import type { SqlExecutor } from '@fleetkit/core';
import { idsIn } from '../store/json.ts';

// What the outbox's statements share: the row the sender holds, the rule of
// order, and id lists.

/** A row the sender holds, as the claim (claim.ts) and the insert (outbox.ts) return it. */
export interface CallbackRow {
  readonly id: string;
  readonly account: string;
  readonly target: string;
  readonly txId: number;
  readonly seq: number;
  readonly url: string;
  readonly body: string;
  readonly attempts: number;
  readonly createdAt: number;
  readonly leasedUntil: number;
}

/** The columns of a {@link CallbackRow} as statements return them (a type, not an interface: rows are `SqlRow`s). */
export type LeasedRow = {
  readonly id: string;
  readonly account: string;
  readonly target: string;
  readonly tx_id: number | string;
  readonly seq: number | string;
  readonly url: string;
  readonly body: string;
  readonly attempts: number | string;
  readonly created_at: number | string;
  readonly leased_until: number | string;
};

/** The columns statements return for a {@link LeasedRow}. */
export const ROW_COLUMNS = 'id, account, target, tx_id, seq, url, body, attempts, created_at, leased_until';

/** A row as statements return it (numbers may come back as text from PostgreSQL). */
export function toRow(row: LeasedRow): CallbackRow {
  return {
    id: row.id,
    account: row.account,
    target: row.target,
    txId: Number(row.tx_id),
    seq: Number(row.seq),
    url: row.url,
    body: row.body,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    leasedUntil: Number(row.leased_until),
  };
}

/** Marks the rows of a JSON id list delivered at `at`. */
export function doneSql(dialect: SqlExecutor['dialect'], at: string, ids: string): string {
  return `UPDATE srv_callbacks SET state = 'done', finished_at = ${at}, leased_until = 0, lease_owner = NULL
    WHERE state = 'pending' AND id IN (${idsIn(dialect, ids)})`;
}

/**
 * A callback's `target`: `device:<id>` for a device's transaction,
 * `group:<id>` for a group transaction's own callbacks (its final one), and
 * `members:<id>` for the callbacks of that group's members. Member callbacks
 * carry no order among themselves (manual §5.8: one per member device, as
 * each member finishes), so each is a chain of its own; the group's own
 * later callbacks wait for all of them ({@link waitsFor}).
 */
export function callbackTarget(kind: 'device' | 'group' | 'members', id: string): string {
  return `${kind}:${id}`;
}

const MEMBERS = callbackTarget('members', '');
const GROUP = callbackTarget('group', '');

/** A member callback of a group transaction: its group's later callbacks wait until it is done. */
export function isMemberCallback(row: CallbackRow): boolean {
  return row.target.startsWith(MEMBERS);
}

/** The rows a row keeps its order among: its transaction and URL, or for a member callback only itself. */
export function chainKey(row: CallbackRow): string {
  const key = [row.account, row.target, row.txId, row.url];
  return JSON.stringify(isMemberCallback(row) ? [...key, row.seq] : key);
}

/** Where a row's transaction, URL and seq come from in a statement: columns of the row, or parameters. */
export interface RowKey {
  readonly account: string;
  readonly target: string;
  readonly txId: string;
  readonly url: string;
  readonly seq: string;
}

/**
 * A SQL condition, true while a row must wait:
 * - a device's or group's callback waits for the earlier pending rows of its
 *   transaction and URL, except those this process holds under a live lease.
 *   Those it sends first itself (sender.ts keeps a chain's rows in order in
 *   memory), so a transaction's next callback is taken while the one before
 *   it is still out or not yet marked done. A row another process holds, a
 *   row backing off after a failure and a row nobody holds all block the rows
 *   after it, so callbacks arrive in event order however many senders run;
 * - a group's callback also waits for every earlier pending member callback
 *   of its transaction and URL, whoever holds it: members go out side by
 *   side in several chains, so only their stored outcome orders them before
 *   the group's final callback;
 * - a member callback waits for nothing.
 * `$1` is now, `$3` the owner. The kind tests come first so that a member
 * row never runs a subquery: a claim over thousands of a group's member rows
 * stays linear.
 */
export function waitsFor(row: RowKey): string {
  const target = `CAST(${row.target} AS TEXT)`;
  const same = `p.state = 'pending' AND p.account = ${row.account} AND p.tx_id = ${row.txId} AND p.url = ${row.url}
    AND p.seq < ${row.seq}`;
  return `((substr(${target}, 1, ${MEMBERS.length}) <> '${MEMBERS}' AND EXISTS (SELECT 1 FROM srv_callbacks p
      WHERE ${same} AND p.target = ${row.target}
        AND (p.lease_owner IS NULL OR p.lease_owner <> $3 OR p.leased_until <= $1)))
    OR (substr(${target}, 1, ${GROUP.length}) = '${GROUP}' AND EXISTS (SELECT 1 FROM srv_callbacks p
      WHERE ${same} AND p.target = '${MEMBERS}' || substr(${target}, ${GROUP.length + 1}))))`;
}
