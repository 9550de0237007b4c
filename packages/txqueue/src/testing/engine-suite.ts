// The one engine suite every storage passes (memory, SQLite, PostgreSQL):
// each store's test file is a few lines calling describeTxQueueEngine. The
// tests live one file per area; this file composes them.
import { type ContractOptions, contractSuite } from '@fleetkit/core/testing';
import { describe } from 'vitest';
import { describeCancelTests } from './cancel-suite.ts';
import { describeDeliveryTests } from './delivery-suite.ts';
import { describeEnqueueTests } from './enqueue-suite.ts';
import { describeEventContentTests } from './event-content-suite.ts';
import { describeEventTests } from './event-suite.ts';
import { describeGroupTests } from './group-suite.ts';
import { type Harness, harness, type StoreHandle } from './harness.ts';
import { describeRestartTests } from './restart-suite.ts';
import { describeRetentionTests } from './retention-suite.ts';
import { describeTimeoutTests } from './timeout-suite.ts';
import { describeWorkTests } from './work-suite.ts';

export type { Harness, RecordedEvent, Setup, StoreHandle } from './harness.ts';

/** Options of {@link describeTxQueueEngine}: tests to skip with their reason, and the store's own tests. */
export type TxQueueEngineOptions = ContractOptions<Harness>;

/**
 * The contract every storage of the transaction queue passes. `store`
 * returns a fresh, empty database per test; `options.skip` exempts tests by
 * name (reported as skipped with the reason), and `options.additionalTests`
 * registers the store's own tests inside the suite with its {@link Harness}.
 */
export function describeTxQueueEngine(
  name: string,
  store: () => Promise<StoreHandle>,
  options: TxQueueEngineOptions = {},
): void {
  describe(`txqueue engine: ${name}`, () => {
    const suite = harness(store);
    const contract = contractSuite(options);
    const it = contract.test;
    describeEnqueueTests(suite, it);
    describeDeliveryTests(suite, it);
    describeEventContentTests(suite, it);
    describeTimeoutTests(suite, it);
    describeCancelTests(suite, it);
    describeGroupTests(suite, it);
    describeRetentionTests(suite, it);
    describeRestartTests(suite, it);
    describeEventTests(suite, it);
    describeWorkTests(suite, it);
    contract.finish(suite);
  });
}
