import type { SqlExecutor } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import { nextId } from './enqueue.ts';

/** One staged configuration update (manual §7.1 step 1). */
export type StagedRow = {
  readonly seq: number;
  readonly package: string;
  readonly vals: string;
  readonly staged_at: number;
};

/** Stores an update for a target and package without sending it; returns how many are staged. */
export async function stageUpdate(
  tx: SqlExecutor,
  key: string,
  pkg: string,
  valuesJson: string,
  now: number,
): Promise<number> {
  const seq = await nextId(tx, `s:${key}`);
  await tx.run('INSERT INTO txq_staged (target, seq, package, vals, staged_at) VALUES ($1, $2, $3, $4, $5)', [
    key,
    seq,
    pkg,
    valuesJson,
    now,
  ]);
  const [row] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM txq_staged WHERE target = $1', [key]);
  return Number(row!.n);
}

export async function stagedRows(ex: SqlExecutor, key: string): Promise<StagedRow[]> {
  return ex.query<StagedRow>('SELECT seq, package, vals, staged_at FROM txq_staged WHERE target = $1 ORDER BY seq', [
    key,
  ]);
}

/**
 * Removes the staged updates of the given packages (all when undefined) and
 * returns them in staging order as one payload (manual §7.1 step 2, Fig. 9
 * step 8: both updates become a single transaction).
 */
export async function takeStaged(
  tx: SqlExecutor,
  key: string,
  packages: readonly string[] | undefined,
): Promise<string> {
  const rows = (await stagedRows(tx, key)).filter((r) => packages === undefined || packages.includes(r.package));
  if (rows.length === 0) {
    throw new TxQueueError(
      TxQueueErrorCode.NothingStaged,
      `Cannot push configuration to ${key.slice(2)}: nothing is staged${packages ? ` for ${packages.join(', ')}` : ''}`,
      {
        details: { target: key.slice(2), ...(packages ? { packages } : {}) },
      },
    );
  }
  for (const r of rows) await tx.run('DELETE FROM txq_staged WHERE target = $1 AND seq = $2', [key, r.seq]);
  return `{"updates":[${rows.map((r) => `{"package":${JSON.stringify(r.package)},"values":${r.vals}}`).join(',')}]}`;
}
