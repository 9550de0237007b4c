import { InThreadPool } from './in-thread.ts';
import { describeWorkerPool } from '../testing/pool-suite.ts';

describeWorkerPool(
  'in-thread',
  () => new InThreadPool(),
  new URL('../../test/fixtures/tasks.ts', import.meta.url).href,
);
