// The crash test of issue 16: the real `fleetkit-server` process is killed
// with SIGKILL at random moments while a backend drives device RPCs and
// simulated devices take and acknowledge them over the HTTP device API, and
// started again on the same database each time. Afterwards every accepted
// transaction is still there, none completed twice, and every final callback
// arrived at least once — a second copy only of a delivery a kill cut off,
// under the same X-Fleetkit-Callback-Id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SqlDriver, silentLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { openTxQueue, type Transaction } from '@fleetkit/txqueue';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listener, listen, type Received } from './callback-listener.ts';
import { Fleet, registerFleet, type SimDevice } from './fleet.ts';
import { createDatabase } from './postgres-database.ts';
import {
  ACME,
  ADMIN_PASSWORD,
  backendCall,
  PROVISIONING_KEY,
  type ServerChild,
  setUpAcme,
  startChild,
} from './server-child.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small seeded generator (mulberry32): a failing run can be repeated with its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** How big a run is. */
interface Plan {
  readonly kills: number;
  readonly calls: number;
  readonly devices: number;
  /** Backend calls in flight at once. */
  readonly lanes: number;
  /** Longest wait, after the last kill, for every final callback (PostgreSQL leases outlive a killed sender). */
  readonly drainMs: number;
}

/** A transaction the backend was given a receipt for. */
interface Receipt {
  readonly clientId: string;
  readonly deviceId: string;
}

/** What the callback listener saw: each request, and the server process (generation) alive when it came. */
interface Seen {
  readonly received: Received;
  readonly generation: number;
}

/** The run's outcome, checked by {@link verify}. */
interface Outcome {
  readonly receipts: readonly Receipt[];
  readonly seen: readonly Seen[];
  /** Generations that ended by SIGKILL (the others by the final SIGTERM). */
  readonly killed: ReadonlySet<number>;
  readonly fleet: Fleet;
  readonly devices: readonly SimDevice[];
  /** How the server answered reports about a completed command, sent after the run (see {@link crashRun}). */
  readonly probes: readonly { readonly conflicting: string; readonly identical: string }[];
  /** Callbacks received before the probes, and after the server stopped. */
  readonly callbacksBefore: number;
  readonly callbacksAfter: number;
  /** Seconds from the last kill until every final callback had arrived. */
  readonly drainSeconds: number;
}

const callbackId = (r: Received): string => r.headers.get('x-fleetkit-callback-id') ?? '';
const isFinalOf = (r: Received, receipt: Receipt): boolean =>
  r.body.params.final === true &&
  String(r.body.params['transaction-id']) === receipt.clientId &&
  r.body.params['device-id'] === receipt.deviceId;

/**
 * Runs the server on `store`, kills it `plan.kills` times at random moments
 * while the backend and the devices work, lets the last process finish the
 * work and stops it with SIGTERM.
 */
async function crashRun(
  store: { readonly dataDir?: string; readonly database?: string },
  plan: Plan,
  random: () => number,
): Promise<Outcome> {
  let generation = 0;
  const seen: Seen[] = [];
  // a short random pause before answering widens the window in which a kill cuts a delivery off
  const listener: Listener = await listen(async (received) => {
    seen.push({ received, generation });
    await sleep(Math.floor(random() * 15));
    return new Response(null, { status: 204 });
  });
  cleanups.push(() => listener.close());

  let server: ServerChild = await startChild({ ...store, adminPassword: ADMIN_PASSWORD });
  cleanups.push(() => server.kill());
  const port = server.port;
  const url = server.url;
  await setUpAcme(url);
  const ids = Array.from({ length: plan.devices }, (_, i) => `meter-${i}`);
  const devices = await registerFleet(ids, { hubs: [url], account: 'acme', provisioningKey: PROVISIONING_KEY });
  const fleet = new Fleet(devices, { pollMs: 250, result: (command) => ({ done: command.parameters.n }) });
  fleet.start();

  // the backend: every call carries its own transaction-id, so a call repeated after a kill is the same request
  const receipts: Receipt[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < plan.calls; i = next++) {
      const receipt: Receipt = { clientId: String(100_000 + i), deviceId: ids[i % ids.length]! };
      const params = {
        'device-id': receipt.deviceId,
        n: i,
        'notification-url': listener.url,
        'transaction-id': receipt.clientId,
      };
      for (;;) {
        let reply: Awaited<ReturnType<typeof backendCall>>;
        try {
          reply = await backendCall(url, ACME, 'work:run', params);
        } catch {
          await sleep(50);
          continue;
        }
        expect(reply.result, JSON.stringify(reply)).toMatchObject({
          'transaction-id': receipt.clientId,
          'rpc-status': 'accepted',
          final: false,
        });
        receipts.push(receipt);
        break;
      }
    }
  };
  const backend = Promise.all(Array.from({ length: plan.lanes }, lane));
  // a failed lane fails the run where it is awaited, after the kills
  backend.catch(() => {});

  // random moments while the work flows: after a random share of the commands was reported, plus a random pause
  const moments = Array.from({ length: plan.kills }, () => Math.floor(plan.calls * (0.1 + 0.75 * random()))).sort(
    (a, b) => a - b,
  );
  const killed = new Set<number>();
  for (const moment of moments) {
    while (fleet.handled.length < moment) await sleep(20);
    await sleep(Math.floor(random() * 300));
    await server.kill();
    killed.add(generation);
    generation++;
    server = await startChild({ ...store, port, adminPassword: ADMIN_PASSWORD });
  }
  const lastKill = performance.now();
  await backend;

  const deadline = Date.now() + plan.drainMs;
  const missing = () => receipts.filter((receipt) => !seen.some((s) => isFinalOf(s.received, receipt)));
  while (missing().length > 0) {
    if (Date.now() > deadline) {
      throw new Error(`no final callback for ${JSON.stringify(missing().slice(0, 5))}…\n${server.logs()}`);
    }
    await sleep(100);
  }
  const drainSeconds = (performance.now() - lastKill) / 1000;
  await fleet.stop();

  // a completed command reported again: another outcome is refused; the identical report (a device whose
  // answer was lost) is answered as before and changes nothing; neither sends a callback
  const callbacksBefore = seen.length;
  const probes: { conflicting: string; identical: string }[] = [];
  for (const device of devices) {
    const last = fleet.handled.findLast((h) => h.deviceId === device.deviceId);
    if (last === undefined) continue;
    const conflicting = await device.call('POST', 'command', { id: last.commandId, status: 'failed', message: 'late' });
    const identical = await device.call('POST', 'command', { id: last.commandId, status: 'done' });
    probes.push({
      conflicting: `${conflicting.status} ${String(conflicting.body.error)}`,
      identical: `${identical.status} ${String(identical.body.status)}`,
    });
  }

  const exit = await server.stop();
  expect(exit, server.logs()).toEqual({ code: 0, signal: null });
  return { receipts, seen, killed, fleet, devices, probes, callbacksBefore, callbacksAfter: seen.length, drainSeconds };
}

/** Every transaction of the run's devices, read from the stopped server's store. */
async function storedTransactions(driver: SqlDriver, deviceIds: readonly string[]): Promise<Transaction[]> {
  const queue = await openTxQueue({ storage: driver, logger: silentLogger });
  try {
    const all: Transaction[] = [];
    for (const deviceId of deviceIds) {
      let after = 0;
      for (;;) {
        const page = await queue.list({ device: `acme/${deviceId}` }, { after, limit: 500 });
        all.push(...page);
        if (page.length < 500) break;
        after = page[page.length - 1]!.id;
      }
    }
    return all;
  } finally {
    await queue.close();
  }
}

/** The assertions of the issue, on a finished run and the store it left. */
async function verify(outcome: Outcome, driver: SqlDriver, plan: Plan): Promise<void> {
  const { receipts, seen, killed, fleet, devices } = outcome;
  expect(killed.size).toBe(plan.kills);
  expect(receipts).toHaveLength(plan.calls);
  expect(fleet.unexpected).toEqual([]);

  // every accepted transaction is still there, once, and completed
  const stored = await storedTransactions(
    driver,
    devices.map((d) => d.deviceId),
  );
  const byClient = new Map<string, Transaction[]>();
  for (const transaction of stored) {
    const list = byClient.get(transaction.clientId ?? '') ?? [];
    list.push(transaction);
    byClient.set(transaction.clientId ?? '', list);
  }
  for (const receipt of receipts) {
    const found = byClient.get(receipt.clientId) ?? [];
    expect(
      found.map((t) => [t.target, t.state]),
      receipt.clientId,
    ).toEqual([[{ device: `acme/${receipt.deviceId}` }, 'complete']]);
  }
  expect(stored).toHaveLength(receipts.length);

  // each was reported done by its device; a completed one takes no other outcome and sends nothing more
  const reported = new Set(fleet.handled.map((h) => `${h.deviceId}/${h.commandId.split('.')[0]}`));
  for (const transaction of stored) {
    const key = `${(transaction.target as { device: string }).device.slice('acme/'.length)}/${transaction.id}`;
    expect(reported.has(key), key).toBe(true);
  }
  expect(fleet.handled.filter((h) => h.answer !== 'done')).toEqual([]);
  expect(outcome.probes).toHaveLength(devices.length);
  for (const probe of outcome.probes)
    expect(probe).toEqual({ conflicting: '409 already-final', identical: '200 done' });
  expect(outcome.callbacksAfter).toBe(outcome.callbacksBefore);

  // every final callback arrived, each transaction's under one callback id
  const copies = new Map<string, Seen[]>();
  for (const s of seen) {
    const list = copies.get(callbackId(s.received)) ?? [];
    list.push(s);
    copies.set(callbackId(s.received), list);
  }
  expect(copies.has('')).toBe(false);
  for (const receipt of receipts) {
    const finals = seen.filter((s) => isFinalOf(s.received, receipt));
    expect(new Set(finals.map((s) => callbackId(s.received))).size, receipt.clientId).toBe(1);
    expect(finals[0]!.received.body.params).toMatchObject({ 'rpc-status': 'complete', done: expect.any(Number) });
  }
  // a second copy only of a delivery a kill cut off: the same body, each earlier copy sent by a killed process
  let repeated = 0;
  for (const [id, list] of copies) {
    if (list.length === 1) continue;
    repeated += list.length - 1;
    const bodies = new Set(list.map((s) => JSON.stringify(s.received.body)));
    expect(bodies.size, id).toBe(1);
    const generations = list.map((s) => s.generation);
    expect(new Set(generations).size, `${id} sent twice by one process`).toBe(generations.length);
    for (const earlier of list.slice(0, -1)) expect(killed.has(earlier.generation), id).toBe(true);
  }
  const resent = fleet.handled.filter((h) => h.repeated).length;
  console.log(
    `crash run: ${plan.kills} kills, ${receipts.length} transactions, ${seen.length} callbacks received ` +
      `(${repeated} second copies of cut-off deliveries), ${resent} done reports sent again after a cut-off ` +
      `(answered as before, applied once), ${outcome.probes.length} conflicting late reports refused already-final; ` +
      `every final callback in ${outcome.drainSeconds.toFixed(1)} s after the last kill`,
  );
}

function seedOf(): number {
  const given = process.env.FLEETKIT_CRASH_SEED;
  return given === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(given);
}

describe('crash: SIGKILL at random moments, SQLite', () => {
  it('keeps every accepted transaction, completes each once and delivers every final callback', async () => {
    const seed = seedOf();
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const plan: Plan = { kills: 4, calls: 120, devices: 8, lanes: 4, drainMs: 90_000 };
    const outcome = await crashRun({ dataDir: dir }, plan, seeded(seed)).catch((error: unknown) => {
      throw new Error(`crash run failed (FLEETKIT_CRASH_SEED=${seed}): ${String(error)}`);
    });
    const driver = openSqlite({ path: join(dir, 'fleetkit.db') });
    cleanups.push(() => driver.close());
    await verify(outcome, driver, plan);
  }, 180_000);
});

describeWithPostgres('crash: SIGKILL at random moments, PostgreSQL', (url) => {
  it('keeps every accepted transaction, completes each once and delivers every final callback', async () => {
    const seed = seedOf();
    const database = await createDatabase(url, 'srv_crash');
    cleanups.push(() => database.drop());
    const plan: Plan = { kills: 3, calls: 90, devices: 8, lanes: 4, drainMs: 90_000 };
    const outcome = await crashRun({ database: database.url }, plan, seeded(seed)).catch((error: unknown) => {
      throw new Error(`crash run failed (FLEETKIT_CRASH_SEED=${seed}): ${String(error)}`);
    });
    const driver = openPostgres({ connectionString: database.url, max: 2 });
    cleanups.push(() => driver.close());
    await verify(outcome, driver, plan);
  }, 180_000);
});
