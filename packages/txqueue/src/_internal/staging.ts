import type { SqlExecutor } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { Operation } from './context.ts';
import { nextId } from './counters.ts';

/** One staged configuration update (manual §7.1 step 1). */
export type StagedRow = {
  readonly seq: number;
  readonly package: string;
  readonly vals: string;
  readonly staged_at: number;
};

/** Stores an update for a target and package without sending it; returns how many are staged. */
export async function stageUpdate(
  operation: Operation,
  key: string,
  packageName: string,
  valuesJson: string,
): Promise<number> {
  const { sql } = operation;
  const seq = await nextId(sql, `s:${key}`);
  await sql.run('INSERT INTO txq_staged (target, seq, package, vals, staged_at) VALUES ($1, $2, $3, $4, $5)', [
    key,
    seq,
    packageName,
    valuesJson,
    operation.now,
  ]);
  const [row] = await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM txq_staged WHERE target = $1', [key]);
  return Number(row!.n);
}

export async function stagedRows(executor: SqlExecutor, key: string): Promise<StagedRow[]> {
  return executor.query<StagedRow>(
    'SELECT seq, package, vals, staged_at FROM txq_staged WHERE target = $1 ORDER BY seq',
    [key],
  );
}

/**
 * Removes the staged updates of the given packages (all when undefined) and
 * returns them in staging order as one payload (manual §7.1 step 2, Fig. 9
 * step 8: both updates become a single transaction).
 */
export async function takeStaged(
  sql: SqlExecutor,
  key: string,
  packages: readonly string[] | undefined,
): Promise<string> {
  const rows = (await stagedRows(sql, key)).filter((r) => packages === undefined || packages.includes(r.package));
  if (rows.length === 0) {
    throw new TxQueueError(
      TxQueueErrorCode.NothingStaged,
      `Cannot push configuration to ${key.slice(2)}: nothing is staged${packages ? ` for ${packages.join(', ')}` : ''}`,
      {
        details: { target: key.slice(2), ...(packages ? { packages } : {}) },
      },
    );
  }
  for (const row of rows) await sql.run('DELETE FROM txq_staged WHERE target = $1 AND seq = $2', [key, row.seq]);
  return `{"updates":[${rows.map((row) => `{"package":${JSON.stringify(row.package)},"values":${row.vals}}`).join(',')}]}`;
}
