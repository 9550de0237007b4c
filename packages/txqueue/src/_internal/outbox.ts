import type { SqlExecutor } from '@fleetkit/core';
import { type StatusCode, statusString } from '../status.ts';
import type { TxEvent, TxEventType } from '../types.ts';
import type { Effects } from './context.ts';
import { EVENT_SEQ_KEY } from './schema.ts';
import { countsOf, isFinal, parseJson, type TxRow } from './rows.ts';

const PG_INSERT = 'INSERT INTO txq_events (target, tx_id, body) VALUES ($1, $2, $3)';
// past every live seq and every deleted one (schema.ts: the txq_events_seq trigger)
// `prev`: the transaction's event before this one, which it waits for (schema.ts `sqliteChainTrigger`)
// VALUES, not INSERT … SELECT: a SELECT that reads the table it inserts into
// is first copied into a temporary table (EXPLAIN: OpenEphemeral), ~3 µs of
// a 9 µs insert (decision 005)
const SQLITE_INSERT = `INSERT INTO txq_events (seq, target, tx_id, body, prev)
  VALUES (max(coalesce((SELECT max(seq) FROM txq_events), 0), coalesce((SELECT next FROM txq_counter WHERE target = '${EVENT_SEQ_KEY}'), 0)) + 1, $1, $2, $3,
    (SELECT last_event FROM txq_tx WHERE target = $1 AND id = $2))`;

/**
 * Writes the event of a transition into the outbox in the same SQL
 * transaction as the transition itself, so a committed transition always has
 * its event and a rolled-back one never does.
 */
export async function recordEvent(tx: SqlExecutor, fx: Effects, row: TxRow, type: TxEventType, now: number, status?: StatusCode): Promise<void> {
  await tx.run(tx.dialect === 'sqlite' ? SQLITE_INSERT : PG_INSERT, [row.target, row.id, eventBody(row, type, now, status)]);
  fx.events++;
}

/** The stored body of an event: everything but the seq, target and id columns. */
export function eventBody(row: TxRow, type: TxEventType, now: number, status?: StatusCode): string {
  const s = status ?? (row.status as StatusCode);
  const counts = countsOf(row);
  // target and transaction id live in their own columns (the dispatcher adds them)
  const body: Omit<TxEvent, 'seq' | 'target' | 'transactionId'> = {
    type,
    ...(row.client_id === null ? {} : { clientId: row.client_id }),
    kind: row.kind as TxEvent['kind'],
    state: row.state as TxEvent['state'],
    status: s,
    statusString: statusString(s),
    final: type === 'final' && isFinal(row),
    ...(row.notify === null ? {} : { notify: row.notify }),
    at: now,
    ...(type === 'progress' && row.progress !== null ? { progress: parseJson(row.progress) } : {}),
    ...(type === 'final' && row.result !== null ? { result: parseJson(row.result) } : {}),
    ...(counts === undefined ? {} : { counts }),
  };
  return JSON.stringify(body);
}
