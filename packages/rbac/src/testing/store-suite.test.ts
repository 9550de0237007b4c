import { openSqlite } from '@fleetkit/core/sqlite';
import { testOutcomes } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import { describeRbacStore } from './store-suite.ts';

describe('the RBAC store contract with options', () => {
  const reason = 'this backend shares one table set (a reason for the report)';
  const seen: unknown[] = [];
  describeRbacStore('sqlite (:memory:)', () => openSqlite({ path: ':memory:' }), {
    skip: { 'keeps stores with different table prefixes apart': reason },
    additionalTests(context) {
      it('opens fresh engines over the suite’s driver', async () => {
        const { rbac, tablePrefix, reopen } = await context.fresh();
        await rbac.createAccount({ name: 'acme', adminPassword: 'password-1' });
        seen.push(await context.driver.query(`SELECT name FROM ${tablePrefix}accounts`));
        seen.push((await reopen()).accounts());
      });
    },
  });

  it('reports the skipped test with its reason and runs the additional test with the suite’s context', (context) => {
    const suite = 'the RBAC store contract with options > RBAC store contract: sqlite (:memory:) > ';
    const outcomes = testOutcomes(context);
    expect(outcomes.get(`${suite}keeps stores with different table prefixes apart`)).toEqual({
      state: 'skip',
      note: reason,
    });
    expect(outcomes.get(`${suite}persists revocations, removals and deletions`)?.state).toBe('pass');
    expect(outcomes.get(`${suite}opens fresh engines over the suite’s driver`)?.state).toBe('pass');
    expect(seen).toEqual([[{ name: 'acme' }], ['acme']]);
  });
});
