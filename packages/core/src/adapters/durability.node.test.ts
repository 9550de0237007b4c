import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../sql/driver.ts';
import { runUntilKilled } from '../testing/kill.ts';
import { describeWithPostgres } from '../testing/postgres.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

const writer = fileURLToPath(new URL('../../test/fixtures/durable-writer.ts', import.meta.url));
const ROUNDS = 3;

/** Lets the writer acknowledge a random number of rows, kills it with SIGKILL, returns the ids it acknowledged. */
async function runAndKill(args: string[]): Promise<number[]> {
  const lines = await runUntilKilled({ script: writer, args, afterLines: 20 + Math.floor(Math.random() * 400) });
  return lines.map(Number);
}

async function expectAllAcked(db: SqlDriver, table: string, acked: number[]): Promise<void> {
  const rows = await db.query<{ id: number; note: string }>(`SELECT id, note FROM ${table}`);
  const stored = new Map(rows.map((r) => [Number(r.id), r.note]));
  const missing = acked.filter((id) => !stored.has(id));
  expect(missing).toEqual([]);
  // a committed transaction is whole: never the half-done 'tx' note
  expect(acked.filter((id) => stored.get(id) === 'tx')).toEqual([]);
}

describe('durability under kill -9: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-durable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const sync of ['full', 'normal'] as const) {
    it(`keeps every acknowledged row with synchronous=${sync}`, async () => {
      const path = join(dir, `${sync}.db`);
      const setup = openSqlite({ path });
      await setup.exec('CREATE TABLE acked (id INTEGER PRIMARY KEY, note TEXT)');
      await setup.close();
      for (let round = 0; round < ROUNDS; round++) {
        const reset = openSqlite({ path });
        await reset.run('DELETE FROM acked');
        await reset.close();
        const acked = await runAndKill(['sqlite', path, sync]);
        expect(acked.length).toBeGreaterThan(0);
        const db = openSqlite({ path });
        await expectAllAcked(db, 'acked', acked);
        await db.close();
      }
      // a round whose writer stalls waits out kill.ts's watchdog
    }, 300_000);
  }
});

describeWithPostgres('durability under kill -9: PostgreSQL', (url) => {
  it('keeps every acknowledged row', async () => {
    const table = `acked_${process.pid}`;
    const db = openPostgres({ connectionString: url });
    await db.exec(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id BIGINT PRIMARY KEY, note TEXT)`);
    for (let round = 0; round < ROUNDS; round++) {
      await db.run(`DELETE FROM ${table}`);
      const acked = await runAndKill(['postgres', url, table]);
      expect(acked.length).toBeGreaterThan(0);
      await expectAllAcked(db, table, acked);
    }
    await db.exec(`DROP TABLE ${table}`);
    await db.close();
  }, 300_000);
});
