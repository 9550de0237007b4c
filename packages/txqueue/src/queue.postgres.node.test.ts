import { describeWithPostgres } from '@fleetkit/core/testing';
import { describeTxQueueEngine } from './testing/engine-suite.ts';
import { freshPostgres } from '../test/postgres-store.ts';

describeWithPostgres('txqueue on PostgreSQL', (url) => {
  describeTxQueueEngine('PostgreSQL', () => freshPostgres(url));
});
