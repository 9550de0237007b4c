import { createMemoryStorage } from './memory-storage.ts';
import { describeChunkStorage } from './testing/storage-suite.ts';

describeChunkStorage('memory', async () => createMemoryStorage(), { reopen: async (same) => same });
