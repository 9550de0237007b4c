import type { SqlExecutor } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { TxKind } from '../types.ts';
import type { Operation } from './context.ts';
import { settleParent } from './finish.ts';
import { recordEvent } from './outbox.ts';
import type { TxRow } from './rows.ts';

/** An enqueue after validation: payload already canonical JSON text. */
export interface NewTransaction {
  readonly key: string;
  readonly kind: TxKind;
  readonly tag: string | undefined;
  readonly payloadJson: string;
  readonly timeoutMs: number;
  readonly notify: string | undefined;
  readonly clientId: string | undefined;
  /** Sorted, distinct member devices for a group target. */
  readonly members: readonly string[] | undefined;
  /** A group target's `member` events (ignored for a device). */
  readonly memberEvents: boolean;
}

/** Finds a transaction by the caller's id; a different kind, tag or payload under that id is a conflict. */
export async function findByClientId(sql: SqlExecutor, transaction: NewTransaction): Promise<TxRow | undefined> {
  if (transaction.clientId === undefined) return undefined;
  const [row] = await sql.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND client_id = $2', [
    transaction.key,
    transaction.clientId,
  ]);
  if (!row) return undefined;
  if (
    row.kind !== transaction.kind ||
    row.tag !== (transaction.tag ?? null) ||
    row.payload !== transaction.payloadJson
  ) {
    throw new TxQueueError(
      TxQueueErrorCode.IdempotencyConflict,
      `Cannot enqueue client id "${transaction.clientId}" again: it names transaction ${row.id} with a different kind, tag or payload`,
      {
        details: {
          target: transaction.key.slice(2),
          clientId: transaction.clientId,
          transactionId: Number(row.id),
        },
      },
    );
  }
  return row;
}

/** Stores a transaction (and for a group, one sub-transaction per member) with its `accepted` event. */
export async function insertTransaction(operation: Operation, transaction: NewTransaction): Promise<TxRow> {
  const { sql, context, effects, now } = operation;
  const id = await context.dialect.nextTransactionId(sql, transaction.key);
  const deadline = now + transaction.timeoutMs;
  const members = transaction.members;
  const zero = members !== undefined ? 0 : null;
  const row: TxRow = {
    target: transaction.key,
    id,
    client_id: transaction.clientId ?? null,
    kind: transaction.kind,
    tag: transaction.tag ?? null,
    payload: transaction.payloadJson,
    state: 'queued',
    status: 'accepted',
    attempt: 0,
    lease_until: null,
    deadline,
    cancel_deadline: null,
    parent_target: null,
    parent_id: null,
    notify: transaction.notify ?? null,
    progress: null,
    result: null,
    total: members !== undefined ? members.length : null,
    finished: zero,
    n_complete: zero,
    n_timed_out: zero,
    n_cancelled: zero,
    member_events: members !== undefined && transaction.memberEvents ? 1 : null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  await sql.run(
    `INSERT INTO txq_tx (target, id, client_id, kind, tag, payload, state, status, attempt, deadline, notify,
       total, finished, n_complete, n_timed_out, n_cancelled, member_events, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'queued', 'accepted', 0, $7, $8, $9, $10, $10, $10, $10, $11, $12, $12)`,
    [
      transaction.key,
      id,
      row.client_id,
      transaction.kind,
      row.tag,
      transaction.payloadJson,
      deadline,
      row.notify,
      row.total,
      zero,
      row.member_events,
      now,
    ],
  );
  await recordEvent(operation, row, 'accepted');
  effects.deadline = Math.min(effects.deadline, deadline);
  if (members === undefined) {
    effects.wake.add(transaction.key);
    return row;
  }
  if (members.length === 0) {
    // manual §7.3: the parent completes when every sub-transaction has; with none, at once
    await settleParent(operation, row);
    const [done] = await sql.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [transaction.key, id]);
    return done!;
  }
  await context.dialect.insertSubTransactions(operation, members, { parent: row, deadline });
  return row;
}
