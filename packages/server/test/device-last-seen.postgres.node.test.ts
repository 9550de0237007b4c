// refreshLastSeen's guard on PostgreSQL: a held-back sighting moves an older
// last_seen forward and never undoes a disconnect or a newer sighting.
import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordLastSeen, refreshLastSeen } from '../src/store/devices.ts';
import { registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';
import { createDatabase, type TestDatabase } from './postgres-database.ts';

describeWithPostgres('held-back last_seen sightings on PostgreSQL', (url) => {
  let database: TestDatabase;
  let driver: PostgresDriver;
  let t: TestServer;

  beforeAll(async () => {
    database = await createDatabase(url, 'srv_last_seen');
    driver = openPostgres({ connectionString: database.url });
    t = await startServer({ driver });
    await setUpAccount(t);
  });
  afterAll(async () => {
    await t.close();
    await driver.close();
    await database.drop();
  });

  it('moves older sightings forward, keeps newer ones and recorded disconnects', async () => {
    for (const id of ['pg-old', 'pg-new', 'pg-gone']) await registered(t, id);
    const db = t.server.context.db;
    await recordLastSeen(db, 'acme', { deviceId: 'pg-old', at: 1_000 });
    await recordLastSeen(db, 'acme', { deviceId: 'pg-new', at: 9_000 });
    await recordLastSeen(db, 'acme', { deviceId: 'pg-gone', at: undefined });
    await refreshLastSeen(db, [
      { account: 'acme', deviceId: 'pg-old', at: 5_000 },
      { account: 'acme', deviceId: 'pg-new', at: 5_000 },
      { account: 'acme', deviceId: 'pg-gone', at: 5_000 },
      { account: 'other', deviceId: 'pg-old', at: 7_000 },
    ]);
    const rows = await db.query<{ device_id: string; last_seen: string | number | null }>(
      "SELECT device_id, last_seen FROM srv_devices WHERE account = 'acme' AND device_id LIKE 'pg-%' ORDER BY device_id",
    );
    expect(rows.map((row) => [row.device_id, row.last_seen === null ? null : Number(row.last_seen)])).toEqual([
      ['pg-gone', null],
      ['pg-new', 9_000],
      ['pg-old', 5_000],
    ]);
  });
});
