import type { SqlExecutor } from '@fleetkit/core';
import { type StatusCode, statusString } from '../status.ts';
import type { TxEvent, TxEventType } from '../types.ts';
import type { Effects } from './context.ts';
import { parseTargetKey } from './keys.ts';
import { countsOf, isFinal, parseJson, type TxRow } from './rows.ts';

/**
 * Writes the event of a transition into the outbox in the same SQL
 * transaction as the transition itself, so a committed transition always has
 * its event and a rolled-back one never does.
 */
export async function recordEvent(tx: SqlExecutor, fx: Effects, row: TxRow, type: TxEventType, now: number, status?: StatusCode): Promise<void> {
  const s = status ?? (row.status as StatusCode);
  const counts = countsOf(row);
  const body: Omit<TxEvent, 'seq'> = {
    type,
    target: parseTargetKey(row.target),
    transactionId: Number(row.id),
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
  await tx.run('INSERT INTO txq_events (target, tx_id, body) VALUES ($1, $2, $3)', [row.target, row.id, JSON.stringify(body)]);
  fx.events++;
}
