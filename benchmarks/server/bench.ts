import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '@fleetkit/core/postgres';
import { type ScratchPostgres, startScratchPostgres } from '../../scripts/postgres.ts';
import { type BenchCase, defineSuite } from '../harness/suite.ts';
import { type CommitCounts, CPU_DATABASE, describeCommits, describeCpu, describeStatements } from './commits.ts';
import { clusterCpuMicros } from './cpu.ts';
import {
  CallbackListener,
  type Cycle,
  call,
  describe,
  each,
  expectStatus,
  lanes,
  type Measured,
  merge,
} from './load.ts';
import { type ServerProcess, type Store, startProcess } from './processes.ts';

/** Devices each side's cycles rotate over (so no device exceeds the server's default per-device rate limit). */
const POOL = 512;
// FLEETKIT_BENCH_SERVER_GROUP=<n> runs the group case with n members (profiling); the table uses 10,000.
const GROUP = Number(process.env.FLEETKIT_BENCH_SERVER_GROUP ?? 10_000);
/** Timed slices of each side, alternating; a side's rate is its best slice's. */
const ROUNDS = 3;
const ADMIN_PASSWORD = 'bench-sysadm-password';
const ACME = { user: 'acme-admin', password: 'bench-acme-password' };
const PROVISIONING_KEY = 'bench-provisioning-key-0001';
const WORK_YANG = `module work {
  namespace "urn:fleetkit:work";
  prefix w;
  import exosense { prefix exo; }
  revision 2024-01-01;
  rpc run {
    input { uses exo:std-request; leaf n { type uint32; } }
    output { leaf done { type uint32; } }
  }
}`;

/** `npm run bench -- server --time MS`: a slice lasts half of it (the harness passes `--time` to timed cases only). */
function runMs(): number {
  const at = process.argv.findIndex((arg) => arg === '--time' || arg.startsWith('--time='));
  if (at < 0) return 2000;
  const text = process.argv[at]!.includes('=') ? process.argv[at]!.split('=')[1] : process.argv[at + 1];
  return Number(text) > 0 ? Number(text) : 2000;
}

/**
 * `FLEETKIT_BENCH_SERVER_CASES=sqlite,postgres,auth,group` (any of them) runs only those cases: for a
 * quick look with `--dry-run`; a saved result needs them all.
 */
function only(kind: 'sqlite' | 'postgres' | 'auth' | 'group'): boolean {
  const chosen = process.env.FLEETKIT_BENCH_SERVER_CASES;
  return chosen === undefined || chosen.split(',').includes(kind);
}

const basic = (login: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`;

let rpcId = 0;
/** A backend call; throws unless it answers a result (the suite measures working exchanges only). */
async function backend(
  url: string,
  method: string,
  params: Record<string, unknown>,
  path = 'exodm/rpc',
  login: { user: string; password: string } | undefined = ACME,
): Promise<Record<string, unknown>> {
  const reply = expectStatus(
    await call('POST', new URL(path, url).toString(), {
      headers: login === undefined ? {} : { authorization: basic(login) },
      body: { jsonrpc: '2.0', id: ++rpcId, method, params },
    }),
    200,
    method,
  );
  const result = reply.body.result as Record<string, unknown> | undefined;
  if (result === undefined) throw new Error(`${method}: ${JSON.stringify(reply.body)}`);
  return result;
}

async function ok(url: string, method: string, params: Record<string, unknown>, login = ACME): Promise<void> {
  const result = await backend(url, method, params, 'exodm/rpc', login);
  if (result.result !== 'ok') throw new Error(`${method}: ${JSON.stringify(result)}`);
}

/** A registered device of the HTTP device API. */
interface Device {
  readonly deviceId: string;
  readonly publicId: string;
  readonly accessKey: string;
}

async function register(url: string, ids: readonly string[]): Promise<Device[]> {
  const devices: Device[] = [];
  await each(ids, 32, async (deviceId) => {
    const reply = expectStatus(
      await call('POST', new URL('v1/devices', url).toString(), {
        body: { account: 'acme', device_id: deviceId, provisioning_key: PROVISIONING_KEY },
      }),
      200,
      `register ${deviceId}`,
    );
    devices.push({ deviceId, publicId: String(reply.body.id), accessKey: String(reply.body.access_key) });
  });
  return devices.sort((a, b) => Number(a.deviceId.split('-')[1]) - Number(b.deviceId.split('-')[1]));
}

/** One database's processes: our server, the floor, a callback listener each, our registered devices. */
interface Rig {
  readonly label: string;
  readonly ours: ServerProcess;
  readonly bare: ServerProcess;
  readonly oursCallbacks: CallbackListener;
  readonly bareCallbacks: CallbackListener;
  readonly devices: Device[];
}

const rigs = new Map<'sqlite' | 'postgres', Promise<Rig>>();
let dir: string;
let pg: ScratchPostgres | undefined;
let pgUnavailable: string | undefined;

async function createDatabase(name: string): Promise<string> {
  const admin = openPostgres({ connectionString: pg!.url, max: 1 });
  try {
    await admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(pg!.url);
  url.pathname = `/${name}`;
  return url.href;
}

async function openRig(kind: 'sqlite' | 'postgres'): Promise<Rig> {
  const stores: [Store, Store] =
    kind === 'sqlite'
      ? [{ sqlite: join(dir, 'ours.db') }, { sqlite: join(dir, 'floor.db') }]
      : [{ database: await createDatabase('bench_ours') }, { database: await createDatabase('bench_floor') }];
  const [ours, bare] = await Promise.all([
    startProcess('ours', stores[0], ['--admin-password', ADMIN_PASSWORD, '--auth-off-user', ACME.user]),
    startProcess('bare', stores[1]),
  ]);
  const sysadm = { user: 'sysadm', password: ADMIN_PASSWORD };
  await ok(
    ours.url,
    'exodm:create-account',
    { name: 'acme', email: 'ops@acme.example', password: ACME.password },
    sysadm,
  );
  await ok(ours.url, 'exodm:create-yang-module', { name: 'work.yang', 'yang-module': WORK_YANG });
  await ok(ours.url, 'exodm:add-role-execution-permission', {
    role: 'admin',
    'package-name': 'work',
    'rpc-name': 'run',
  });
  await ok(ours.url, 'exodm:create-device-type', {
    name: 'meter',
    protocol: 'fleetkit-http',
    'provisioning-key': PROVISIONING_KEY,
  });
  const started = performance.now();
  const devices = await register(
    ours.url,
    Array.from({ length: POOL }, (_, i) => `dev-${i}`),
  );
  console.log(`    ${kind}: ${POOL} devices registered in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const oursCallbacks = new CallbackListener();
  const bareCallbacks = new CallbackListener();
  await Promise.all([oursCallbacks.start(), bareCallbacks.start()]);
  return { label: kind === 'sqlite' ? 'SQLite' : 'PostgreSQL', ours, bare, oursCallbacks, bareCallbacks, devices };
}

function rig(kind: 'sqlite' | 'postgres'): Promise<Rig> {
  let opened = rigs.get(kind);
  if (opened === undefined) {
    opened = openRig(kind);
    rigs.set(kind, opened);
  }
  return opened;
}

/** Backend RPC → the device takes the command → reports it done → the final callback, on our server. */
function oursCycle(r: Rig): Cycle {
  return async (index, n) => {
    const device = r.devices[index]!;
    const receipt = await backend(r.ours.url, 'work:run', {
      'device-id': device.deviceId,
      n,
      'notification-url': r.oursCallbacks.url,
    });
    const final = r.oursCallbacks.final(device.deviceId, String(receipt['transaction-id']));
    const commandUrl = new URL(`v1/devices/${device.publicId}/command`, r.ours.url).toString();
    const headers = { authorization: device.accessKey };
    const command = expectStatus(await call('GET', commandUrl, { headers }), 200, 'GET command');
    const body = { id: command.body.id, status: 'done', result: { done: n } };
    expectStatus(await call('POST', commandUrl, { headers, body }), 200, 'POST command');
    await final;
  };
}

/** The same exchanges against the bare node:http floor. */
function floorCycle(r: Rig): Cycle {
  return async (index, n) => {
    const deviceId = `dev-${index}`;
    const receipt = expectStatus(
      await call('POST', new URL('rpc', r.bare.url).toString(), {
        body: { device: deviceId, method: 'work:run', params: { n }, notify: r.bareCallbacks.url },
      }),
      200,
      'floor rpc',
    );
    const final = r.bareCallbacks.final(deviceId, String(receipt.body['transaction-id']));
    const commandUrl = new URL(`command?device=${deviceId}`, r.bare.url).toString();
    const command = expectStatus(await call('GET', commandUrl), 200, 'floor GET command');
    const body = { id: command.body.id, status: 'done', result: { done: n } };
    expectStatus(await call('POST', commandUrl, { body }), 200, 'floor POST command');
    await final;
  };
}

/** One side's slices: every cycle's latency, and the best slice's rate (the house rule: harness/alternate.ts). */
interface Side {
  readonly all: Measured;
  readonly bestHz: number;
}

/**
 * Runs one slice and adds to `commits` what `server` did meanwhile: its commits and statements,
 * its CPU time, and on PostgreSQL the cluster's CPU time (the other side is idle during the slice).
 */
async function counted(
  server: ServerProcess,
  kind: 'sqlite' | 'postgres',
  commits: CommitCounts,
  run: () => Promise<Measured>,
): Promise<Measured> {
  const database = () => (kind === 'postgres' && pg !== undefined ? clusterCpuMicros(pg.dir) : undefined);
  const before = { ...(await server.ask<CommitCounts>({ type: 'commits' })) };
  const databaseBefore = database();
  const measured = await run();
  const after = { ...(await server.ask<CommitCounts>({ type: 'commits' })) };
  const databaseAfter = database();
  if (databaseBefore !== undefined && databaseAfter !== undefined) {
    before[CPU_DATABASE] = databaseBefore;
    after[CPU_DATABASE] = databaseAfter;
  }
  for (const [label, n] of Object.entries(after)) {
    const moved = n - (before[label] ?? 0);
    if (moved > 0) commits[label] = (commits[label] ?? 0) + moved;
  }
  return measured;
}

/** Each side's measurements of one database and load, kept for the two rows that show them. */
interface Sides {
  readonly ours: Side;
  readonly floor: Side;
  readonly alone: Side;
}

function side(slices: readonly Measured[]): Side {
  return { all: merge(slices), bestHz: Math.max(...slices.map((m) => m.cycles / m.seconds)) };
}

const measured = new Map<string, Promise<Sides>>();

/** Warms each side up, then alternates slices so the shared machine's noise hits all three alike. */
async function measureSides(kind: 'sqlite' | 'postgres', inFlight: number): Promise<Sides> {
  const r = await rig(kind);
  const ms = runMs();
  const warm = { inFlight, ms: Math.min(500, ms / 4), devices: POOL };
  const slice = { inFlight, ms: ms / 2, devices: POOL };
  const alone = () => r.bare.ask<Measured>({ type: 'alone', ...slice });
  await lanes(oursCycle(r), warm);
  await lanes(floorCycle(r), warm);
  await r.bare.ask<Measured>({ type: 'alone', ...warm });
  const sides = { ours: [] as Measured[], floor: [] as Measured[], alone: [] as Measured[] };
  const commits = { ours: {} as CommitCounts, floor: {} as CommitCounts };
  for (let round = 0; round < ROUNDS; round++) {
    sides.ours.push(await counted(r.ours, kind, commits.ours, () => lanes(oursCycle(r), slice)));
    sides.floor.push(await counted(r.bare, kind, commits.floor, () => lanes(floorCycle(r), slice)));
    sides.alone.push(await alone());
  }
  const result = { ours: side(sides.ours), floor: side(sides.floor), alone: side(sides.alone) };
  console.log(`    ${r.label}, ${inFlight} in flight: server ${describe(result.ours.all)}`);
  console.log(`      HTTP floor ${describe(result.floor.all)}; txqueue alone ${describe(result.alone.all)}`);
  console.log(`      server ${describeCommits(commits.ours, result.ours.all.cycles)}`);
  console.log(`      HTTP floor ${describeCommits(commits.floor, result.floor.all.cycles)}`);
  console.log(
    `      server ${describeCpu(commits.ours, result.ours.all.cycles)}; HTTP floor ${describeCpu(commits.floor, result.floor.all.cycles)}`,
  );
  // FLEETKIT_BENCH_SERVER_STATEMENTS=1: each side's statements by what they write or read
  if (process.env.FLEETKIT_BENCH_SERVER_STATEMENTS) {
    console.log(`      server statements: ${describeStatements(commits.ours, result.ours.all.cycles)}`);
    console.log(`      HTTP floor statements: ${describeStatements(commits.floor, result.floor.all.cycles)}`);
  }
  return result;
}

function sides(kind: 'sqlite' | 'postgres', inFlight: number): Promise<Sides> {
  const key = `${kind}/${inFlight}`;
  let found = measured.get(key);
  if (found === undefined) {
    found = measureSides(kind, inFlight);
    measured.set(key, found);
  }
  return found;
}

function cycleCases(kind: 'sqlite' | 'postgres'): BenchCase[] {
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  return [1, 64].flatMap((inFlight): BenchCase[] => [
    {
      name: `${label}, ${inFlight} in flight: end-to-end cycles/s`,
      peer: 'the same HTTP exchanges, bare node:http + txqueue',
      ...(inFlight === 64 ? { goal: 0.6 } : {}),
      async measure() {
        const s = await sides(kind, inFlight);
        return { ours_hz: s.ours.bestHz, peer_hz: s.floor.bestHz };
      },
    },
    {
      name: `${label}, ${inFlight} in flight: end-to-end cycles/s beside txqueue alone`,
      peer: 'txqueue enqueue → call-in → ack → final event, in process',
      async measure() {
        const s = await sides(kind, inFlight);
        return { ours_hz: s.ours.bestHz, peer_hz: s.alone.bestHz };
      },
    },
  ]);
}

/** exodm:lookup-device calls at 64 in flight, authenticated (Basic, verified once then cached) and with auth off. */
async function authCase(): Promise<{ ours_hz: number; peer_hz: number }> {
  const r = await rig('sqlite');
  const ms = runMs();
  const lookup =
    (path: string, login: typeof ACME | undefined): Cycle =>
    async (index) => {
      const result = await backend(r.ours.url, 'exodm:lookup-device', { 'device-id': `dev-${index}` }, path, login);
      if (result.result !== 'ok') throw new Error(`lookup-device: ${JSON.stringify(result)}`);
    };
  const authed = lookup('exodm/rpc', ACME);
  const open = lookup('bench/rpc-without-auth', undefined);
  const slice = { inFlight: 64, ms: ms / 2, devices: POOL };
  await lanes(authed, { ...slice, ms: Math.min(500, ms / 4) });
  await lanes(open, { ...slice, ms: Math.min(500, ms / 4) });
  const a: Measured[] = [];
  const o: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(await lanes(authed, slice));
    o.push(await lanes(open, slice));
  }
  console.log(`    authenticated ${describe(merge(a), 'calls/s')}; auth off ${describe(merge(o), 'calls/s')}`);
  return { ours_hz: side(a).bestHz, peer_hz: side(o).bestHz };
}

/** A group RPC to GROUP registered devices on our server, every member's callback and the group's final one. */
async function groupCase(): Promise<{ ours_hz: number; peer_hz: number }> {
  const r = await rig('sqlite');
  const ids = Array.from({ length: GROUP }, (_, i) => `member-${i}`);
  let started = performance.now();
  const members = await register(r.ours.url, ids);
  console.log(
    `    ${GROUP.toLocaleString('en')} devices registered in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  await ok(r.ours.url, 'exodm:create-device-group', { 'group-name': 'everyone' });
  await ok(r.ours.url, 'exodm:add-device-group-members', { 'group-name': 'everyone', 'device-id': ids });
  const before = r.oursCallbacks.received;
  started = performance.now();
  const receipt = await backend(r.ours.url, 'work:run', {
    'device-id': 'everyone',
    n: 1,
    'notification-url': r.oursCallbacks.url,
  });
  const final = r.oursCallbacks.final('everyone', String(receipt['transaction-id']));
  await each(members, 64, async (device) => {
    const commandUrl = new URL(`v1/devices/${device.publicId}/command`, r.ours.url).toString();
    const headers = { authorization: device.accessKey };
    const command = expectStatus(await call('GET', commandUrl, { headers }), 200, 'member GET command');
    expectStatus(
      await call('POST', commandUrl, { headers, body: { id: command.body.id, status: 'done' } }),
      200,
      'done',
    );
  });
  const acked = performance.now();
  await final;
  const seconds = (performance.now() - started) / 1000;
  const callbacks = r.oursCallbacks.received - before;
  if (callbacks !== GROUP + 1) throw new Error(`expected ${GROUP + 1} callbacks, got ${callbacks}`);
  const alone = await r.bare.ask<number>({ type: 'group-alone', size: GROUP, concurrency: 64 });
  console.log(
    `    group RPC to ${GROUP.toLocaleString('en')} devices: every member's callback and the final one in ${seconds.toFixed(1)} s ` +
      `(members acked after ${((acked - started) / 1000).toFixed(1)} s); txqueue alone ${alone.toFixed(1)} s`,
  );
  return { ours_hz: GROUP / seconds, peer_hz: GROUP / alone };
}

export default defineSuite({
  name: 'server',
  description:
    '`@fleetkit/server` end to end over HTTP, server in a child process and load in this one: backend RPC → the device takes the command (HTTP device API) → reports it done → the final callback received (cycles/s, latency printed), beside bare node:http handlers making the same txqueue calls and the txqueue cycle alone; authenticated backend calls beside auth off; a group RPC to 10,000 devices (members/s).',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'fleetkit-server-bench-'));
    try {
      pg = await startScratchPostgres();
    } catch (error) {
      pgUnavailable = error instanceof Error ? error.message : String(error);
      console.log(`PostgreSQL cases skipped: ${pgUnavailable}`);
    }
    return undefined;
  },
  cases: () => [
    ...(only('sqlite') ? cycleCases('sqlite') : []),
    ...(pgUnavailable === undefined && only('postgres') ? cycleCases('postgres') : []),
    ...(only('auth')
      ? [
          {
            name: 'authenticated backend calls (exodm:lookup-device, 64 in flight), calls/s',
            peer: 'the same calls with auth off',
            goal: 0.8,
            measure: authCase,
          },
        ]
      : []),
    ...(only('group')
      ? [
          {
            name: `group RPC to ${GROUP.toLocaleString('en')} devices on SQLite, members/s`,
            peer: 'txqueue alone: the group enqueued, each member called in and acked, in process',
            measure: groupCase,
          },
        ]
      : []),
  ],
  async teardown() {
    for (const opened of rigs.values()) {
      const r = await opened.catch(() => undefined);
      if (r === undefined) continue;
      await Promise.all([r.ours.stop(), r.bare.stop(), r.oursCallbacks.close(), r.bareCallbacks.close()]);
    }
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
