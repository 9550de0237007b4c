import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openTestRbac } from '../test/engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetkit-rbac-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts PBKDF2 runs: every hash and every verification derives bits once; the login cache's HMAC does not. */
function countDerivations(): { readonly count: () => number } {
  const spy = vi.spyOn(crypto.subtle, 'deriveBits');
  return { count: () => spy.mock.calls.length };
}

describe('authenticate', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('verifies repeated credentials once, then answers from the login cache', async () => {
    const rbac = await openTestRbac();
    await rbac.createUser({ name: 'olga', password: 'olga-secret' });
    const derivations = countDerivations();
    expect(await rbac.authenticate('olga', 'olga-secret')).toBe('olga');
    expect(derivations.count()).toBe(1);
    for (let i = 0; i < 5; i++) expect(await rbac.authenticate('olga', 'olga-secret')).toBe('olga');
    // the *account*user form names the same user
    expect(await rbac.authenticate('*acme*olga', 'olga-secret')).toBe('olga');
    expect(derivations.count()).toBe(1);
    // a wrong password is never cached: each attempt costs a full verification
    expect(await rbac.authenticate('olga', 'olga-secreT')).toBeUndefined();
    expect(await rbac.authenticate('olga', 'olga-secreT')).toBeUndefined();
    expect(derivations.count()).toBe(3);
  });

  it('forgets a cached login when the password changes or the user is deleted', async () => {
    const rbac = await openTestRbac();
    await rbac.createUser({ name: 'olga', password: 'olga-secret' });
    expect(await rbac.authenticate('olga', 'olga-secret')).toBe('olga');
    await rbac.setPassword({ user: 'olga', password: 'olga-new-secret' });
    expect(await rbac.authenticate('olga', 'olga-secret')).toBeUndefined();
    expect(await rbac.authenticate('olga', 'olga-new-secret')).toBe('olga');
    await rbac.deleteUser('olga');
    expect(await rbac.authenticate('olga', 'olga-new-secret')).toBeUndefined();
    // the same name and password again: a new salt, so a new hash, so the old entry cannot count
    await rbac.createUser({ name: 'olga', password: 'olga-new-secret' });
    const derivations = countDerivations();
    expect(await rbac.authenticate('olga', 'olga-new-secret')).toBe('olga');
    expect(derivations.count()).toBe(1);
  });

  it('forgets a login whose password another engine on the same store changed, once it reloads', async () => {
    const path = join(dir, 'shared.db');
    const here = await openTestRbac({ driver: openSqlite({ path }) });
    const elsewhere = await openTestRbac({ driver: openSqlite({ path }) });
    await here.createUser({ name: 'olga', password: 'olga-secret' });
    expect(await here.authenticate('olga', 'olga-secret')).toBe('olga');
    await elsewhere.reload();
    await elsewhere.setPassword({ user: 'olga', password: 'olga-new-secret' });
    await here.reload();
    expect(await here.authenticate('olga', 'olga-secret')).toBeUndefined();
    expect(await here.authenticate('olga', 'olga-new-secret')).toBe('olga');
  });

  it('verifies every time when the cache is off', async () => {
    const rbac = await openTestRbac({ authenticationCacheSize: 0 });
    await rbac.createUser({ name: 'olga', password: 'olga-secret' });
    const derivations = countDerivations();
    for (let i = 0; i < 3; i++) expect(await rbac.authenticate('olga', 'olga-secret')).toBe('olga');
    expect(derivations.count()).toBe(3);
  });

  it('keeps only the most recently used logins when full', async () => {
    const rbac = await openTestRbac({ authenticationCacheSize: 2 });
    for (const name of ['ann', 'bob', 'cat']) await rbac.createUser({ name, password: `${name}-secret` });
    const derivations = countDerivations();
    for (const name of ['ann', 'bob', 'ann', 'cat']) await rbac.authenticate(name, `${name}-secret`);
    expect(derivations.count()).toBe(3);
    // bob was the least recently used: dropped; ann and cat stay
    await rbac.authenticate('ann', 'ann-secret');
    await rbac.authenticate('cat', 'cat-secret');
    expect(derivations.count()).toBe(3);
    await rbac.authenticate('bob', 'bob-secret');
    expect(derivations.count()).toBe(4);
  });
});
