import { testOutcomes } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../storage.ts';
import { describeTxQueueEngine } from './engine-suite.ts';

describe('the txqueue engine contract with options', () => {
  const reason = 'this store keeps no data across a restart (a reason for the report)';
  const seen: unknown[] = [];
  describeTxQueueEngine(
    'memory',
    async () => {
      const driver = memoryStorage();
      return { driver, reopen: async () => driver, dispose: () => driver.close() };
    },
    {
      skip: { 'keeps queued, delivered and group state across a restart': reason },
      additionalTests(context) {
        it('opens engines through the suite’s harness', async () => {
          const { queue, settle } = await context.setup({}, { g: ['d1'] });
          await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: 1000 });
          seen.push((await queue.callIn('d1')).map((delivery) => delivery.parent));
          seen.push((await settle()).map((event) => event.type));
        });
      },
    },
  );

  it('reports the skipped test with its reason and runs the additional test with the suite’s harness', (context) => {
    const suite = 'the txqueue engine contract with options > txqueue engine: memory > ';
    const outcomes = testOutcomes(context);
    expect(outcomes.get(`${suite}keeps queued, delivered and group state across a restart`)).toEqual({
      state: 'skip',
      note: reason,
    });
    expect(
      outcomes.get(`${suite}numbers events past every delivered one, after the outbox empties and across a restart`)
        ?.state,
    ).toBe('pass');
    expect(outcomes.get(`${suite}opens engines through the suite’s harness`)?.state).toBe('pass');
    expect(seen).toEqual([[{ group: 'g', id: 1 }], ['accepted']]);
  });
});
