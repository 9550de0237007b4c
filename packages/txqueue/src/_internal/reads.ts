import type { SqlExecutor } from '@fleetkit/core';
import type { Transaction, TxState } from '../types.ts';
import type { Context } from './context.ts';
import { type TxRow, toTransaction } from './rows.ts';

/** The public view of a row, with its (or its parent's) payload. */
export async function view(context: Context, executor: SqlExecutor, row: TxRow): Promise<Transaction> {
  return toTransaction(row, await context.payloads.of(executor, row));
}

export async function readOne(context: Context, key: string, id: number): Promise<Transaction | undefined> {
  const [row] = await context.storage.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [key, id]);
  return row ? view(context, context.storage, row) : undefined;
}

/** Transactions of a target in id order, after `after`, optionally only open ones. */
export async function readList(
  context: Context,
  key: string,
  open: boolean,
  after: number,
  limit: number,
): Promise<Transaction[]> {
  const rows = await context.storage.query<TxRow>(
    `SELECT * FROM txq_tx WHERE target = $1 AND id > $2${open ? ' AND finished_at IS NULL' : ''} ORDER BY id LIMIT $3`,
    [key, after, limit],
  );
  return Promise.all(rows.map((r) => view(context, context.storage, r)));
}

/** Sub-transactions of a group transaction in device order, after device `after`. */
export async function readChildren(
  context: Context,
  parentKey: string,
  id: number,
  after: string,
  limit: number,
): Promise<Transaction[]> {
  const rows = await context.storage.query<TxRow>(
    'SELECT * FROM txq_tx WHERE parent_target = $1 AND parent_id = $2 AND target > $3 ORDER BY target LIMIT $4',
    [parentKey, id, `d:${after}`, limit],
  );
  return Promise.all(rows.map((r) => view(context, context.storage, r)));
}

/** Open transactions by state, from the open-transactions index only. */
export async function countOpen(context: Context): Promise<Partial<Record<TxState, number>>> {
  const rows = await context.storage.query<{ state: TxState; n: number | string }>(
    'SELECT state, count(*) AS n FROM txq_tx WHERE finished_at IS NULL GROUP BY state',
  );
  const counts: Partial<Record<TxState, number>> = {};
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}
