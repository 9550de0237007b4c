import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDriver } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { describeTxQueueEngine } from './testing/engine-suite.ts';

describeTxQueueEngine('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-'));
  const path = join(dir, 'queue.db');
  const drivers: SqlDriver[] = [openSqlite({ path })];
  return {
    driver: drivers[0]!,
    async reopen() {
      // a restarted process: the old connection is gone, a new one opens the file
      await drivers.at(-1)!.close();
      const next = openSqlite({ path });
      drivers.push(next);
      return next;
    },
    async dispose() {
      for (const d of drivers) await d.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
