import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterEach, describe, it } from 'vitest';
import { DROP_ADDED_COLUMNS, groups, useAddedColumns } from '../test/added-columns.ts';
import { openTxQueue } from './index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('txqueue schema upgrade on SQLite', () => {
  it('adds the tag, member-event and event-retry columns to a database written before them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-upgrade-'));
    dirs.push(dir);
    const path = join(dir, 'queue.db');
    const clock = new ManualClock();
    const first = openSqlite({ path });
    await (await openTxQueue({ storage: first, clock, logger: silentLogger, groups })).close();
    await first.exec(DROP_ADDED_COLUMNS.join(';\n'));
    await first.close();

    const storage = openSqlite({ path });
    const queue = await openTxQueue({ storage, clock, logger: silentLogger, groups });
    try {
      await useAddedColumns(queue, clock);
    } finally {
      await queue.close();
      await storage.close();
    }
  });
});
