// The callback outbox on PostgreSQL: the commit cases of
// callbacks-batching-cases.ts, and the purge of finished rows.
import { openPostgres } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterEach, expect, it } from 'vitest';
import { callbackStats, purgeFinished } from '../src/callbacks/outbox.ts';
import { queueName } from '../src/context.ts';
import { eventually, listen } from './callback-listener.ts';
import { batchingCases } from './callbacks-batching-cases.ts';
import { startServer } from './harness.ts';
import { createDatabase } from './postgres-database.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describeWithPostgres('callback outbox on PostgreSQL', (url) => {
  batchingCases('commits', async () => {
    const database = await createDatabase(url, 'srv_cbb');
    const driver = openPostgres({ connectionString: database.url, max: 4 });
    return {
      driver,
      async close() {
        await driver.close();
        await database.drop();
      },
    };
  });

  it('deletes delivered rows once they are older than kept', async () => {
    const database = await createDatabase(url, 'srv_cbb');
    cleanups.push(() => database.drop());
    const driver = openPostgres({ connectionString: database.url, max: 4 });
    cleanups.push(() => driver.close());
    const t = await startServer({ driver });
    cleanups.push(() => t.close());
    const backend = await listen();
    cleanups.push(() => backend.close());
    const { queue, db, clock } = t.server.context;
    const device = queueName('acme', 'dev-1');
    await queue.enqueue({ target: { device }, kind: 'rpc', tag: 'test:echo', payload: {}, notify: backend.url });
    await queue.callIn(device);
    await backend.waitFor(1);
    await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'the row marked done');
    await purgeFinished(db, clock.now() + 1, clock.now() + 1);
    const [left] = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM srv_callbacks');
    expect(Number(left?.n)).toBe(0);
  });
});
