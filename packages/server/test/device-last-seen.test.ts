// A device's last_seen is written at most once per devices.lastSeenWriteMs,
// and a refresh rides in one transaction with every other device's
// (docs/decisions/server-last-seen.md): counted at the driver, on a clock the
// test moves.
import { ManualClock, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceOptions } from '../src/devices/plugins.ts';
import { openServer } from '../src/server.ts';
import { recordLastSeen } from '../src/store/devices.ts';
import { eventually } from './callback-listener.ts';
import { acmeCall, type HttpDevice, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

/** What writing `last_seen` cost: statements, and commits (an autocommitted statement, or a transaction holding some). */
interface LastSeenWrites {
  statements: number;
  commits: number;
}

/** A driver that counts the statements and commits writing `last_seen`. */
function countingLastSeen(driver: SqlDriver): { driver: SqlDriver; writes: LastSeenWrites } {
  const writes: LastSeenWrites = { statements: 0, commits: 0 };
  const isLastSeen = (sql: string) => /\bUPDATE srv_devices SET last_seen\b/.test(sql);
  const watch = (executor: SqlExecutor, onLastSeen: () => void): SqlExecutor => ({
    dialect: executor.dialect,
    query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
      if (isLastSeen(sql)) onLastSeen();
      return executor.query<Row>(sql, params);
    },
    run(sql: string, params?: readonly SqlValue[]) {
      if (isLastSeen(sql)) onLastSeen();
      return executor.run(sql, params);
    },
  });
  const outside = watch(driver, () => {
    writes.statements++;
    writes.commits++;
  });
  const counted = new Proxy(driver, {
    get(target, key, receiver) {
      if (key === 'query') return outside.query;
      if (key === 'run') return outside.run;
      if (key === 'transaction') {
        return async <T>(fn: (tx: SqlExecutor) => Promise<T>) => {
          let inside = 0;
          const result = await target.transaction((tx) =>
            fn(
              watch(tx, () => {
                inside++;
              }),
            ),
          );
          writes.statements += inside;
          if (inside > 0) writes.commits++;
          return result;
        };
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { driver: counted, writes };
}

describe('last_seen written at most once per devices.lastSeenWriteMs', () => {
  const open: { t: TestServer; driver: SqlDriver }[] = [];
  afterEach(async () => {
    for (const { t, driver } of open.splice(0)) {
      await t.close();
      await driver.close();
    }
  });

  async function serve(devices: DeviceOptions) {
    const inner = openSqlite({ path: ':memory:' });
    const counting = countingLastSeen(inner);
    const clock = new ManualClock();
    const t = await startServer({ driver: counting.driver, clock, devices });
    open.push({ t, driver: inner });
    await setUpAccount(t);
    const lastSeen = async (deviceId: string) => {
      const [row] = await t.server.context.db.query<{ last_seen: number | string | null }>(
        "SELECT last_seen FROM srv_devices WHERE account = 'acme' AND device_id = $1",
        [deviceId],
      );
      return row === undefined || row.last_seen === null ? undefined : Number(row.last_seen);
    };
    /** Waits until the device's `last_seen` is `at`. */
    const lastSeenBecomes = (deviceId: string, at: number) =>
      eventually(async () => (await lastSeen(deviceId)) === at, `${deviceId} last seen at ${at}`);
    return { t, clock, writes: counting.writes, lastSeen, lastSeenBecomes };
  }

  async function calls(device: HttpDevice, clock: ManualClock, n: number, stepMs: number) {
    for (let i = 0; i < n; i++) {
      if (i > 0) clock.advance(stepMs);
      expect((await device.telemetry()).status).toBe(200);
    }
  }

  it('writes once for N calls within the interval; a call after it is written by the next flush', async () => {
    const s = await serve({ lastSeenWriteMs: 5000 });
    const device = await registered(s.t, 'm-seen');
    const first = s.clock.now();
    // four calls 1.5 s apart: all within 5 s of the first, which is written at once
    await calls(device, s.clock, 4, 1500);
    expect(s.writes).toEqual({ statements: 1, commits: 1 });
    expect(await s.lastSeen('m-seen')).toBe(first);
    s.clock.advance(500);
    await calls(device, s.clock, 1, 0);
    const refreshed = s.clock.now();
    expect(refreshed).toBe(first + 5000);
    // held back until the flush, one interval later
    s.clock.advance(5000);
    await s.lastSeenBecomes('m-seen', refreshed);
    expect(s.writes).toEqual({ statements: 2, commits: 2 });
  });

  it('moves many devices forward in one commit', async () => {
    const s = await serve({ lastSeenWriteMs: 1000 });
    const devices = [];
    for (let i = 0; i < 5; i++) devices.push(await registered(s.t, `m-many-${i}`));
    for (const device of devices) await calls(device, s.clock, 1, 0);
    expect(s.writes).toEqual({ statements: 5, commits: 5 });
    s.clock.advance(1000);
    for (const device of devices) await calls(device, s.clock, 1, 0);
    const refreshed = s.clock.now();
    s.clock.advance(1000);
    for (let i = 0; i < 5; i++) await s.lastSeenBecomes(`m-many-${i}`, refreshed);
    expect(s.writes).toEqual({ statements: 10, commits: 6 });
  });

  it('writes on every call with lastSeenWriteMs 0, and once a second by default', async () => {
    const every = await serve({ lastSeenWriteMs: 0 });
    const device = await registered(every.t, 'm-every');
    await calls(device, every.clock, 3, 0);
    expect(every.writes).toEqual({ statements: 3, commits: 3 });

    const usual = await serve({});
    const other = await registered(usual.t, 'm-usual');
    const first = usual.clock.now();
    await calls(other, usual.clock, 3, 400);
    expect(usual.writes).toEqual({ statements: 1, commits: 1 });
    usual.clock.advance(200);
    await calls(other, usual.clock, 1, 0);
    usual.clock.advance(1000);
    await usual.lastSeenBecomes('m-usual', first + 1000);
  });

  it('writes at once after a recorded disconnect, and a held-back sighting never undoes a disconnect', async () => {
    const s = await serve({ lastSeenWriteMs: 5000 });
    const device = await registered(s.t, 'm-back');
    await calls(device, s.clock, 1, 0);
    // what the broker records when a device's connection goes
    await recordLastSeen(s.t.server.context.db, 'acme', { deviceId: 'm-back', at: undefined });
    s.clock.advance(100);
    await calls(device, s.clock, 1, 0);
    expect(await s.lastSeen('m-back')).toBe(s.clock.now());

    // seen again after the interval (held back), then disconnected before the flush
    s.clock.advance(5000);
    await calls(device, s.clock, 1, 0);
    await recordLastSeen(s.t.server.context.db, 'acme', { deviceId: 'm-back', at: undefined });
    // the flush: a transaction that changes nothing
    const commits = s.writes.commits;
    s.clock.advance(5000);
    await eventually(() => s.writes.commits > commits, 'the flush');
    expect(await s.lastSeen('m-back')).toBeUndefined();
    const attributes = await acmeCall(s.t)('exodm:lookup-device-attributes', {
      'device-id': 'm-back',
      attributes: ['is-connected'],
    });
    expect(JSON.stringify(attributes.result)).toContain('"false"');
  });

  it('writes the held-back sightings when the server closes', async () => {
    const s = await serve({ lastSeenWriteMs: 5000 });
    const device = await registered(s.t, 'm-close');
    await calls(device, s.clock, 1, 0);
    s.clock.advance(5000);
    await calls(device, s.clock, 1, 0);
    const db = s.t.server.context.db;
    const entry = open.pop()!;
    await entry.t.close();
    const [row] = await db.query<{ last_seen: number | string }>(
      "SELECT last_seen FROM srv_devices WHERE account = 'acme' AND device_id = 'm-close'",
    );
    expect(Number(row!.last_seen)).toBe(s.clock.now());
    await entry.driver.close();
  });

  it('refuses an interval below 0 or above a minute with invalid-option', async () => {
    const driver = openSqlite({ path: ':memory:' });
    for (const lastSeenWriteMs of [-1, 60_001, 0.5]) {
      await expect(openServer({ driver, devices: { lastSeenWriteMs } })).rejects.toMatchObject({
        code: 'invalid-option',
        details: { path: 'devices.lastSeenWriteMs' },
      });
    }
    await driver.close();
  });
});
