import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { describe, expect, it } from 'vitest';
import { openRbac } from './rbac.ts';

const open = (options: Record<string, unknown>) =>
  openRbac({ driver: openSqlite({ path: ':memory:' }), logger: silentLogger, ...options });

describe('openRbac options', () => {
  it('refuses passwordIterations below 600 000, OWASP’s floor for PBKDF2-SHA-256', async () => {
    for (const weak of [1, 1000, 599_999]) {
      await expect(open({ passwordIterations: weak })).rejects.toMatchObject({
        code: 'validation-failed',
        details: { path: 'passwordIterations', got: weak },
        message: expect.stringContaining('insecureTestPasswordIterations'),
      });
    }
    await expect(open({ passwordIterations: 600_000.5 })).rejects.toMatchObject({ code: 'validation-failed' });
    const rbac = await open({ passwordIterations: 600_000 });
    expect(rbac.users()).toEqual([]);
  });

  it('takes fewer rounds only through the option named for tests, and never beside passwordIterations', async () => {
    const rbac = await open({ insecureTestPasswordIterations: 1 });
    await rbac.createUser({ name: 'vera', password: 'vera-password' });
    expect(await rbac.authenticate('vera', 'vera-password')).toBe('vera');
    await expect(open({ insecureTestPasswordIterations: 0 })).rejects.toMatchObject({
      code: 'validation-failed',
      details: { path: 'insecureTestPasswordIterations', got: 0 },
    });
    await expect(open({ insecureTestPasswordIterations: 1000, passwordIterations: 600_000 })).rejects.toMatchObject({
      code: 'validation-failed',
      details: { path: 'insecureTestPasswordIterations' },
    });
  });

  it('refuses retry, staleness and cache settings that are not counts', async () => {
    for (const [path, got] of [
      ['reloadRetryMs', 0],
      ['reloadRetryMaxMs', Number.NaN],
      ['maxStaleMs', -1],
      ['authenticationCacheSize', 1.5],
      ['minPasswordLength', 0],
    ] as const) {
      await expect(open({ insecureTestPasswordIterations: 1, [path]: got })).rejects.toMatchObject({
        code: 'validation-failed',
        details: { path },
      });
    }
  });
});
