import type { SqlExecutor } from '@fleetkit/core';

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

/**
 * The ids of a JSON array text parameter as a subquery: one statement text
 * for any number of ids (an `IN ($2, $3…)` list would be a statement, and a
 * prepared plan, per length).
 */
export function idsIn(dialect: SqlExecutor['dialect'], param: string): string {
  return dialect === 'postgres'
    ? `SELECT jsonb_array_elements_text(CAST(${param} AS jsonb))`
    : `SELECT value FROM json_each(${param})`;
}

/** Marks the rows of a JSON id list delivered at `at`. */
export function doneSql(dialect: SqlExecutor['dialect'], at: string, ids: string): string {
  return `UPDATE srv_callbacks SET state = 'done', finished_at = ${at}, leased_until = 0, lease_owner = NULL
    WHERE state = 'pending' AND id IN (${idsIn(dialect, ids)})`;
}

/** The transaction and URL a row keeps its order in. */
export function chainKey(row: CallbackRow): string {
  return JSON.stringify([row.account, row.target, row.txId, row.url]);
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
 * The rows a row of a transaction and URL waits for: its earlier pending
 * rows, except those this process holds under a live lease. Those it sends
 * first itself (sender.ts keeps a transaction's rows in order in memory), so
 * a transaction's next callback is taken while the one before it is still
 * out or not yet marked done, and a group's member callbacks go out back to
 * back. A row another process holds, a row backing off after a failure and a
 * row nobody holds all block the rows after it, so callbacks arrive in event
 * order however many senders run. `$1` is now, `$3` the owner.
 */
export function blockingRows(row: RowKey): string {
  return `SELECT 1 FROM srv_callbacks p WHERE p.state = 'pending'
    AND p.account = ${row.account} AND p.target = ${row.target} AND p.tx_id = ${row.txId} AND p.url = ${row.url}
    AND p.seq < ${row.seq} AND (p.lease_owner IS NULL OR p.lease_owner <> $3 OR p.leased_until <= $1)`;
}
