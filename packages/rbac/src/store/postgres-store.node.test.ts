import { openPostgres } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { describeRbacStore } from '../testing/store-suite.ts';

describeWithPostgres('rbac on postgres', (url) => {
  describeRbacStore('postgres', () => openPostgres({ connectionString: url }));
});
