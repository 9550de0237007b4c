import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packagesOf } from '../src/packages/service.ts';
import { PROVISIONING_KEY, registered } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, must, PackageDevice, sameBytes, storedImage, toBase64 } from './packages-fixture.ts';
import { createDatabase, type TestDatabase } from './postgres-database.ts';

describeWithPostgres('packages on PostgreSQL', (url) => {
  let database: TestDatabase;
  let driver: PostgresDriver;
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const status = async (name: string, id: string) =>
    (await acme('exodm:get-package-status', { 'package-name': name, 'device-id': id })).result!;

  beforeAll(async () => {
    database = await createDatabase(url, 'srv_packages');
    driver = openPostgres({ connectionString: database.url });
    t = await startServer({
      driver,
      devices: { rateBurst: 10_000, ratePerSecond: 10_000 },
      packages: { chunkSize: 1024 },
    });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', {
      name: 'meter',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
  });
  afterAll(async () => {
    await t.close();
    await driver.close();
    await database.drop();
  });

  it('stores uploads as bytes, installs with dependencies, confirms after a restart and refuses uninstalls depended upon', async () => {
    const image = imageOf(50_000, 11);
    const response = await fetch(new URL('exodm/packages/lib-1.0?version=1.0', t.url), {
      method: 'PUT',
      headers: { authorization: basicAuthHeader(ACME.login, ACME.password) },
      body: image,
    });
    expect(response.status).toBe(201);
    expect(sameBytes(await storedImage(t, 'acme', 'lib-1.0'), image)).toBe(true);
    await must(t, 'exodm:create-package', {
      'package-name': 'app-1.0',
      version: '1.0',
      'prerequisite-packages': ['lib-1.0'],
      image: toBase64(imageOf(3_000, 12)),
    });
    await must(t, 'exodm:add-package-to-device-type', {
      'package-name': ['lib-1.0', 'app-1.0'],
      'device-type': 'meter',
    });
    const d = new PackageDevice(await registered(t, 'pg-1', PROVISIONING_KEY));
    await d.trust();
    await must(t, 'exodm:install-package', {
      'package-name': 'app-1.0',
      targets: ['pg-1'],
      'recursive-dependency-resolve': true,
    });
    expect((await d.carryOut((await d.command())!)).status).toBe(200);
    expect((await d.carryOut((await d.command())!, { reboot: true })).status).toBe(200);
    expect(await status('app-1.0', 'pg-1')).toMatchObject({ 'package-status': 'installed', confirmed: false });
    d.running.set('app-1.0', '1.0');
    await d.inventory();
    expect(await status('app-1.0', 'pg-1')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
      'chunks-total': 3,
    });
    expect(await status('lib-1.0', 'pg-1')).toMatchObject({ 'package-status': 'installed', 'chunks-acknowledged': 49 });
    expect(
      (await acme('exodm:uninstall-package', { 'package-name': 'lib-1.0', targets: ['pg-1'] })).result?.result,
    ).toBe('object-not-empty');
  });

  it('gives every server on the database the same signing key', async () => {
    const other = await startServer({ driver });
    expect(packagesOf(other.server.context).signing.publicKey).toEqual(packagesOf(t.server.context).signing.publicKey);
    await other.close();
  });

  it('deletes a package with its chunks and allowances, and keeps an account with packages', async () => {
    await must(t, 'exodm:create-package', { 'package-name': 'gone-1', image: toBase64(imageOf(3_000, 5)) });
    await must(t, 'exodm:add-package-to-device-type', { 'package-name': ['gone-1'], 'device-type': 'meter' });
    await t.admin('exodm:create-account', { name: 'initech', email: 'i@i.i', password: 'initech-admin-pw' });
    const initech = (method: string, params: unknown) => t.call('initech-admin', 'initech-admin-pw', method, params);
    expect((await initech('exodm:create-package', { 'package-name': 'tps', image: 'AAAA' })).result?.result).toBe('ok');
    expect((await t.admin('exodm:delete-account', { name: 'initech' })).result?.result).toBe('object-not-empty');
    expect((await acme('exodm:delete-package', { 'package-name': ['gone-1'] })).result).toEqual({ result: 'ok' });
    const rows = await driver.query<{ n: string }>(
      `SELECT (SELECT COUNT(*) FROM srv_packages WHERE name = 'gone-1')
            + (SELECT COUNT(*) FROM srv_package_chunks WHERE package = 'gone-1')
            + (SELECT COUNT(*) FROM srv_type_packages WHERE package = 'gone-1') AS n`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
