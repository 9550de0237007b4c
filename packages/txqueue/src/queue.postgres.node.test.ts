import { describeWithPostgres } from '@fleetkit/core/testing';
import { freshPostgres } from '../test/postgres-store.ts';
import { describeTxQueueEngine } from './testing/engine-suite.ts';

describeWithPostgres('txqueue on PostgreSQL', (url) => {
  describeTxQueueEngine('PostgreSQL', () => freshPostgres(url));
});
