import { describeWorkerPool } from '../testing/pool-suite.ts';
import { InThreadPool } from './in-thread.ts';

describeWorkerPool('in-thread', () => new InThreadPool(), {
  fixtures: new URL('../../test/fixtures/tasks.ts', import.meta.url).href,
});
