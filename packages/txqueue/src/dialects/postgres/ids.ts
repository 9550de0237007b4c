import type { Operation } from '../../_internal/context.ts';
import { deviceKey } from '../../_internal/keys.ts';
import type { SubTransactionSource } from '../dialect.ts';
import { SERVER_NOW_MS } from './server-clock.ts';

const MEMBERS = 'jsonb_array_elements_text($1::jsonb) AS j(value)';

// per-device ids from the per-device counters, locked in member order (the
// members come sorted), as every writer locks them
const BUMP_COUNTERS = `WITH c AS (INSERT INTO txq_counter (target, next) SELECT 'd:' || j.value, 1 FROM ${MEMBERS} WHERE true
       ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1 RETURNING target, listen_until)
     SELECT target FROM c WHERE listen_until >= ${SERVER_NOW_MS}`;

const INSERT_SUB_TRANSACTIONS = `INSERT INTO txq_tx (target, id, kind, tag, state, status, attempt, deadline, parent_target, parent_id, created_at, updated_at)
     SELECT c.target, c.next, $2, $3, 'queued', 'accepted', 0, $4, $5, $6, $7, $7
     FROM ${MEMBERS} JOIN txq_counter c ON c.target = 'd:' || j.value`;

/**
 * Creates one sub-transaction per member (manual §7.3 steps 3–8) in two
 * set-based statements, whatever the group size: per-device ids come from
 * the per-device counters, the payload stays on the parent row. Every member
 * is woken here; the members a call-in or a watcher in some process listens
 * on are woken there too (read from the counter rows the statement locks
 * anyway, as a device enqueue does: notify.ts).
 */
export async function insertPostgresSubTransactions(
  operation: Operation,
  members: readonly string[],
  source: SubTransactionSource,
): Promise<void> {
  const { sql, effects } = operation;
  const list = JSON.stringify(members);
  const listening = await sql.query<{ target: string }>(BUMP_COUNTERS, [list]);
  const { parent } = source;
  await sql.run(INSERT_SUB_TRANSACTIONS, [
    list,
    parent.kind,
    parent.tag,
    source.deadline,
    parent.target,
    parent.id,
    operation.now,
  ]);
  const remote = new Set(listening.map((row) => row.target));
  for (const member of members) {
    const key = deviceKey(member);
    (remote.has(key) ? effects.wake : effects.wakeHere).add(key);
  }
}
