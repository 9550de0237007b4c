// Two `fleetkit-server` processes on one PostgreSQL database serve one fleet
// (issue 16): the backend's calls go to both in turn and every device calls
// both. No transaction is handed out twice, no callback is sent by both, a
// role taken away or a password changed through one process holds at the
// other, and a group RPC to 500 devices reports every member and then the
// group.
import { silentLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { openTxQueue, type Transaction } from '@fleetkit/txqueue';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Listener, listen, type Received } from './callback-listener.ts';
import { Fleet, registerFleet } from './fleet.ts';
import { createDatabase } from './postgres-database.ts';
import {
  ACME,
  ADMIN_PASSWORD,
  backendCall,
  expectOk,
  PROVISIONING_KEY,
  type ServerChild,
  setUpAcme,
  startChild,
} from './server-child.ts';

/** How long a change made through one process may take to hold at the other (PostgreSQL LISTEN/NOTIFY). */
const PROPAGATION_BOUND_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const callbackId = (r: Received): string => r.headers.get('x-fleetkit-callback-id') ?? '';

/** Polls `probe` until it returns true; the milliseconds it took, or a failure after `boundMs`. */
async function within(boundMs: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > boundMs) throw new Error(`${what}: not within ${boundMs} ms`);
    await sleep(20);
  }
  return performance.now() - started;
}

/** Every callback id received once: no row was sent by both processes (the listener never fails one). */
function expectEachIdOnce(received: readonly Received[]): void {
  const counts = new Map<string, number>();
  for (const r of received) counts.set(callbackId(r), (counts.get(callbackId(r)) ?? 0) + 1);
  expect(counts.has('')).toBe(false);
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
}

describeWithPostgres('two server processes on one PostgreSQL', (pgUrl) => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let a: ServerChild;
  let b: ServerChild;
  let listener: Listener;

  beforeAll(async () => {
    database = await createDatabase(pgUrl, 'srv_scale');
    // one after the other: the first creates the tables and sysadm, the second finds them
    a = await startChild({ database: database.url, adminPassword: ADMIN_PASSWORD });
    b = await startChild({ database: database.url, adminPassword: ADMIN_PASSWORD });
    listener = await listen();
    await setUpAcme(a.url);
  }, 120_000);
  // each test counts the callbacks of its own transactions
  beforeEach(() => {
    listener.received.length = 0;
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await listener?.close();
    await database?.drop();
  });

  it('serves one fleet: each transaction delivered once, each callback sent by one process', async () => {
    const hubs = [a.url, b.url];
    const ids = Array.from({ length: 8 }, (_, i) => `meter-${i}`);
    const devices = await registerFleet(ids, { hubs, account: 'acme', provisioningKey: PROVISIONING_KEY });
    // every call-in asks both processes at once: both must name the same delivery
    const fleet = new Fleet(devices, { pollMs: 250, raceCallIns: true });
    fleet.start();
    const calls = 96;
    const receipts: { transactionId: string; deviceId: string }[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < calls; i = next++) {
        const deviceId = ids[i % ids.length]!;
        const reply = await backendCall(hubs[i % 2]!, ACME, 'work:run', {
          'device-id': deviceId,
          n: i,
          'notification-url': listener.url,
        });
        expect(reply.result, JSON.stringify(reply)).toMatchObject({ 'rpc-status': 'accepted' });
        receipts.push({ transactionId: String(reply.result!['transaction-id']), deviceId });
      }
    };
    await Promise.all(Array.from({ length: 4 }, lane));
    // two server processes and the fleet share two cores: the test's own timeout bounds the wait
    await listener.waitFor(calls * 2, 90_000);
    await fleet.stop();

    expect(fleet.unexpected).toEqual([]);
    expect(fleet.splitDeliveries).toEqual([]);
    expect(fleet.networkErrors).toBe(0);
    // each device carried out each of its transactions once
    const done = fleet.handled.map((h) => `${h.deviceId}/${h.commandId}`);
    expect(new Set(done).size).toBe(calls);
    expect(fleet.handled.every((h) => h.answer === 'done' && !h.repeated)).toBe(true);
    // …under the first delivery attempt: nothing was handed out a second time
    expect(new Set(fleet.handled.map((h) => h.commandId.split('.')[1]))).toEqual(new Set(['1']));
    const driver = openPostgres({ connectionString: database.url, max: 2 });
    const queue = await openTxQueue({ storage: driver, logger: silentLogger });
    try {
      const stored: Transaction[] = [];
      for (const id of ids) stored.push(...(await queue.list({ device: `acme/${id}` }, { limit: 1000 })));
      expect(stored).toHaveLength(calls);
      expect(stored.filter((t) => t.state !== 'complete' || t.attempt !== 1)).toEqual([]);
    } finally {
      await queue.close();
      await driver.close();
    }

    // two callbacks a transaction (device-connected, complete), each id once, in order
    const received = listener.received.slice(0, calls * 2);
    expect(listener.received).toHaveLength(calls * 2);
    expectEachIdOnce(received);
    for (const receipt of receipts) {
      const mine = received.filter(
        (r) =>
          String(r.body.params['transaction-id']) === receipt.transactionId &&
          r.body.params['device-id'] === receipt.deviceId,
      );
      expect(
        mine.map((r) => r.body.params['rpc-status']),
        JSON.stringify(receipt),
      ).toEqual(['device-connected', 'complete']);
    }
  }, 120_000);

  it('holds a role taken away and a password changed through one process at the other', async () => {
    const operator = { user: 'operator', password: 'operator-password-1' };
    await expectOk(a.url, ACME, 'exodm:create-user', { uname: operator.user, password: operator.password });
    await expectOk(a.url, ACME, 'exodm:add-user-to-role', { uname: operator.user, role: 'execute' });
    await expectOk(a.url, ACME, 'exodm:add-role-execution-permission', {
      role: 'execute',
      'package-name': 'work',
      'rpc-name': 'run',
    });
    const run = (server: ServerChild, login: typeof operator) =>
      backendCall(server.url, login, 'work:run', { 'device-id': 'meter-0', n: 0, timeout: 1000 });
    // B grants the RPC (and caches the verified login)
    await within(PROPAGATION_BOUND_MS, 'the grant made through A at B', async () => {
      return (await run(b, operator)).result?.['rpc-status'] === 'accepted';
    });

    await expectOk(a.url, ACME, 'exodm:remove-user-from-role', { uname: operator.user, role: 'execute' });
    const refusedAfter = await within(PROPAGATION_BOUND_MS, 'the role removal made through A at B', async () => {
      const reply = await run(b, operator);
      return JSON.stringify(reply.result) === JSON.stringify({ result: 'permission-denied' });
    });

    const changed = { ...operator, password: 'operator-password-2' };
    await expectOk(a.url, ACME, 'exodm:update-user', { uname: operator.user, password: changed.password });
    // the old password was verified and cached at B: the change must reach that cache too
    const forgottenAfter = await within(PROPAGATION_BOUND_MS, 'the password change made through A at B', async () => {
      return (await run(b, operator)).status === 401;
    });
    expect((await run(b, changed)).result).toEqual({ result: 'permission-denied' });
    console.log(
      `scale-out rbac: role removal held at the other process after ${refusedAfter.toFixed(0)} ms, ` +
        `password change after ${forgottenAfter.toFixed(0)} ms`,
    );
  }, 60_000);

  it('runs a group RPC to 500 devices: every member reported once, then the group', async () => {
    const size = 500;
    const hubs = [a.url, b.url];
    const ids = Array.from({ length: size }, (_, i) => `member-${String(i).padStart(3, '0')}`);
    const devices = await registerFleet(ids, {
      hubs,
      account: 'acme',
      provisioningKey: PROVISIONING_KEY,
      concurrency: 16,
    });
    await expectOk(a.url, ACME, 'exodm:create-device-group', { 'group-name': 'all' });
    await expectOk(b.url, ACME, 'exodm:add-device-group-members', { 'group-name': 'all', 'device-id': ids });
    const started = performance.now();
    const reply = await backendCall(a.url, ACME, 'work:run', {
      'device-id': 'all',
      n: 7,
      'notification-url': listener.url,
    });
    expect(reply.result).toMatchObject({ 'rpc-status': 'accepted' });
    const fleet = new Fleet(devices, { pollMs: 500, commandsEach: 1 });
    fleet.start();
    await fleet.finished();
    const received = await listener.waitFor(size + 1, 150_000);
    const elapsed = performance.now() - started;
    expect(fleet.unexpected).toEqual([]);

    const members = received.filter((r) => r.body.params.final === false);
    const finals = received.filter((r) => r.body.params.final === true);
    expect(members.map((r) => r.body.params['device-id']).sort()).toEqual(ids);
    expect(
      members.filter((r) => r.body.params['group-id'] !== 'all' || r.body.params['rpc-status'] !== 'complete'),
    ).toEqual([]);
    expect(finals.map((r) => r.body.params)).toEqual([
      expect.objectContaining({ 'device-id': 'all', 'group-id': 'all', 'rpc-status': 'complete', final: true }),
    ]);
    // the group's final callback comes after every member's
    expect(received[size]!.body.params.final).toBe(true);
    await sleep(500);
    expect(listener.received).toHaveLength(size + 1);
    expectEachIdOnce(listener.received);
    console.log(
      `scale-out group RPC: ${size} members over two processes, every callback in ${(elapsed / 1000).toFixed(1)} s`,
    );
  }, 180_000);
});
