// The callback outbox's commits on SQLite (callbacks-batching-cases.ts).
import { openSqlite } from '@fleetkit/core/sqlite';
import { batchingCases } from './callbacks-batching-cases.ts';

batchingCases('callback outbox commits on SQLite', async () => {
  const driver = openSqlite({ path: ':memory:' });
  return { driver, close: () => driver.close() };
});
