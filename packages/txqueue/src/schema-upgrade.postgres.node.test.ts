import { ManualClock, silentLogger } from '@fleetkit/core';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { it } from 'vitest';
import { DROP_ADDED_COLUMNS, groups, useAddedColumns } from '../test/added-columns.ts';
import { freshPostgres } from '../test/postgres-store.ts';
import { openTxQueue } from './index.ts';

describeWithPostgres('txqueue schema upgrade on PostgreSQL', (url) => {
  it('adds the tag, member-event and event-retry columns to a database written before them', async () => {
    const store = await freshPostgres(url);
    const clock = new ManualClock();
    try {
      await (await openTxQueue({ storage: store.driver, clock, logger: silentLogger, groups })).close();
      for (const sql of DROP_ADDED_COLUMNS) await store.driver.run(sql);
      const queue = await openTxQueue({ storage: await store.reopen(), clock, logger: silentLogger, groups });
      try {
        await useAddedColumns(queue, clock);
      } finally {
        await queue.close();
      }
    } finally {
      await store.dispose();
    }
  });
});
