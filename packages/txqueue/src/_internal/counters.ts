import type { SqlExecutor } from '@fleetkit/core';

/**
 * The next value of a counter row, made at 1: per-target transaction ids on
 * PostgreSQL (manual §7.2: unique and increasing), staging order everywhere.
 */
export async function nextId(sql: SqlExecutor, key: string): Promise<number> {
  const [row] = await sql.query<{ next: number }>(
    'INSERT INTO txq_counter (target, next) VALUES ($1, 1) ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1 RETURNING next',
    [key],
  );
  return Number(row!.next);
}
