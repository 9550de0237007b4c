import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISIONING_KEY, registered } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, must, PackageDevice, toBase64 } from './packages-fixture.ts';

/** Rows any table still holds for the account's package `name`. */
async function leftovers(t: TestServer, account: string, name: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const tables: readonly (readonly [string, string])[] = [
    ['srv_packages', 'name'],
    ['srv_package_chunks', 'package'],
    ['srv_type_packages', 'package'],
    ['srv_package_members', 'package'],
    ['srv_device_packages', 'package'],
    ['srv_package_rollouts', 'package'],
  ];
  for (const [table, column] of tables) {
    const rows = await t.server.context.db.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE account = $1 AND ${column} = $2`,
      [account, name],
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) counts[table] = n;
  }
  return counts;
}

describe('deleting packages (manual §5.9: exodm_package.yang creates, lists and deletes them)', () => {
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const create = (name: string, extra: Record<string, unknown> = {}) =>
    must(t, 'exodm:create-package', { 'package-name': name, image: toBase64(imageOf(2_000, name.length)), ...extra });

  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: 512 } });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', {
      name: 'meter',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
  });
  afterAll(() => t.close());

  it('deletes an unused package with its chunks and allowances, and frees its name', async () => {
    await create('tool-1');
    await must(t, 'exodm:add-package-to-device-type', { 'package-name': ['tool-1'], 'device-type': 'meter' });
    await registered(t, 'member-1', PROVISIONING_KEY);
    await must(t, 'exodm:add-package-members', { 'package-name': ['tool-1'], 'device-id': ['member-1'] });
    expect(Object.keys(await leftovers(t, 'acme', 'tool-1'))).toEqual([
      'srv_packages',
      'srv_package_chunks',
      'srv_type_packages',
      'srv_package_members',
    ]);
    expect((await acme('exodm:delete-package', { 'package-name': ['tool-1'] })).result).toEqual({ result: 'ok' });
    expect(await leftovers(t, 'acme', 'tool-1')).toEqual({});
    const listed = (await acme('exodm:list-packages', { n: 50 })).result?.packages as { 'package-name': string }[];
    expect(listed.map((p) => p['package-name'])).not.toContain('tool-1');
    await create('tool-1', { version: '1.1' });
  });

  it('refuses, deleting nothing, a missing package, one another package needs, and one a device has', async () => {
    await create('base-1');
    await create('app-1', { 'prerequisite-packages': ['base-1'] });
    const missing = await acme('exodm:delete-package', { 'package-name': ['base-1', 'ghost'] });
    expect(missing.result).toEqual({ result: 'object-not-found', reason: 'package ghost does not exist' });
    const needed = await acme('exodm:delete-package', { 'package-name': ['base-1'] });
    expect(needed.result).toEqual({ result: 'object-not-empty', reason: 'needed as a prerequisite by app-1' });
    expect(await leftovers(t, 'acme', 'base-1')).toMatchObject({ srv_packages: 1, srv_package_chunks: 4 });

    await must(t, 'exodm:add-package-to-device-type', { 'package-name': ['app-1', 'base-1'], 'device-type': 'meter' });
    const device = new PackageDevice(await registered(t, 'dev-1', PROVISIONING_KEY));
    await device.trust();
    await must(t, 'exodm:install-package', { 'package-name': 'base-1', targets: ['dev-1'] });
    const pending = await acme('exodm:delete-package', { 'package-name': ['app-1', 'base-1'] });
    expect(pending.result).toEqual({
      result: 'object-not-empty',
      reason: 'installed or being installed: base-1 on dev-1; uninstall first',
    });
    const reply = await device.carryOut((await device.command())!);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const installed = await acme('exodm:delete-package', { 'package-name': ['app-1', 'base-1'] });
    expect(installed.result?.result).toBe('object-not-empty');
    expect(await leftovers(t, 'acme', 'app-1')).toMatchObject({ srv_packages: 1 });

    await must(t, 'exodm:uninstall-package', { 'package-name': 'base-1', targets: ['dev-1'] });
    expect((await device.carryOut((await device.command())!)).status).toBe(200);
    // both at once: the one that needed the other goes with it; the device's finished rows go too
    expect((await acme('exodm:delete-package', { 'package-name': ['app-1', 'base-1'] })).result).toEqual({
      result: 'ok',
    });
    expect(await leftovers(t, 'acme', 'base-1')).toEqual({});
    expect(await leftovers(t, 'acme', 'app-1')).toEqual({});
  });

  it('keeps an account with packages from being deleted, so a later account of its name inherits none', async () => {
    await t.admin('exodm:create-account', { name: 'initech', email: 'i@i.i', password: 'initech-admin-pw' });
    const initech = (method: string, params: unknown) => t.call('initech-admin', 'initech-admin-pw', method, params);
    const created = await initech('exodm:create-package', {
      'package-name': 'tps',
      image: toBase64(imageOf(700, 3)),
    });
    expect(created.result?.result).toBe('ok');
    expect((await t.admin('exodm:delete-account', { name: 'initech' })).result?.result).toBe('object-not-empty');
    expect((await initech('exodm:delete-package', { 'package-name': ['tps'] })).result).toEqual({ result: 'ok' });
    expect((await t.admin('exodm:delete-account', { name: 'initech' })).result).toEqual({ result: 'ok' });
    await t.admin('exodm:create-account', { name: 'initech', email: 'i@i.i', password: 'initech-admin-pw' });
    const listed = await initech('exodm:list-packages', { n: 10 });
    expect(listed.result).toEqual({ result: 'ok', packages: [] });
  });

  it("never deletes another account's package of the same name", async () => {
    await t.admin('exodm:create-account', { name: 'umbrella', email: 'u@u.u', password: 'umbrella-admin-pw' });
    const umbrella = (method: string, params: unknown) => t.call('umbrella-admin', 'umbrella-admin-pw', method, params);
    expect(
      (await umbrella('exodm:create-package', { 'package-name': 'shared-name', image: 'AAAA' })).result,
    ).toMatchObject({ result: 'ok' });
    await create('shared-name');
    expect((await acme('exodm:delete-package', { 'package-name': ['shared-name'] })).result).toEqual({ result: 'ok' });
    expect(await leftovers(t, 'umbrella', 'shared-name')).toMatchObject({ srv_packages: 1, srv_package_chunks: 1 });
    expect((await umbrella('exodm:delete-package', { 'package-name': ['shared-name'] })).result).toEqual({
      result: 'ok',
    });
  });
});
