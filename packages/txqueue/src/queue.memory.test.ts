import { memoryStorage } from './storage.ts';
import { describeTxQueueEngine } from './testing/engine-suite.ts';

describeTxQueueEngine('memory', async () => {
  const driver = memoryStorage();
  // a restart keeps the same in-memory database: only the engine is new
  return { driver, reopen: async () => driver, dispose: () => driver.close() };
});
