import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SqlDriver, silentLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openTxQueue, type TxQueue } from '@fleetkit/txqueue';
import { type ScratchPostgres, startScratchPostgres } from '../../scripts/postgres.ts';
import { defineSuite, hz } from '../harness/suite.ts';
import { installedVersion } from '../harness/versions.ts';
import { openGraphileWorker, openPgBoss, openPostgresFloor, type PeerQueue } from './peers.ts';
import { closeFloors, sqliteBulkFloor, sqliteFloorCycle } from './sqlite-floor.ts';

const RUN_MS = 6000;
let pg: ScratchPostgres | undefined;
let dir: string;

/** Runs `cycle(lane)` on `lanes` concurrent lanes for `ms`; returns cycles per second. */
async function lanes(count: number, ms: number, cycle: (lane: number) => Promise<void>): Promise<number> {
  let done = 0;
  const start = performance.now();
  const stop = start + ms;
  await Promise.all(
    Array.from({ length: count }, async (_, lane) => {
      while (performance.now() < stop) {
        await cycle(lane);
        done++;
      }
    }),
  );
  return hz(done, start, performance.now());
}

/**
 * Both sides in alternating slices, so the noise of a shared machine
 * (docs/sources.md, Performance baselines) hits them alike; returns each side's overall rate.
 */
async function alternate(
  inFlight: number,
  ours: (lane: number) => Promise<void>,
  peer: (lane: number) => Promise<void>,
): Promise<{ ours_hz: number; peer_hz: number }> {
  const slices = 6;
  let o = 0;
  let p = 0;
  for (let i = 0; i < slices; i++) {
    o += await lanes(inFlight, RUN_MS / slices, ours);
    p += await lanes(inFlight, RUN_MS / slices, peer);
  }
  return { ours_hz: o / slices, peer_hz: p / slices };
}

/** One enqueue → call-in → ack cycle on the lane's own device. */
async function txCycle(q: TxQueue, device: string): Promise<void> {
  await q.enqueue({ target: { device }, kind: 'rpc', payload: { op: 'beep', duration: 500 }, timeoutMs: 3_600_000 });
  const [d] = await q.callIn(device, { limit: 1 });
  if (!d) throw new Error(`call-in of ${device} found nothing`);
  const r = await q.ack(device, { transactionId: d.transactionId, attempt: d.attempt, status: 'complete' });
  if (r.outcome !== 'applied') throw new Error(`ack of ${device} was ${r.outcome}`);
}

type PeerKind = 'pg-boss' | 'graphile-worker' | 'floor';

async function pgCase(inFlight: number, kind: PeerKind): Promise<{ ours_hz: number; peer_hz: number }> {
  const url = pg!.url;
  const prefix = `bench_${kind === 'pg-boss' ? 'boss' : kind === 'floor' ? 'floor' : 'gw'}_${inFlight}`;
  const open = { 'pg-boss': openPgBoss, 'graphile-worker': openGraphileWorker, floor: openPostgresFloor }[kind];
  const peer: PeerQueue = await open(url, inFlight, prefix);
  const storage = openPostgres({ connectionString: url, max: 20 });
  const q = await openTxQueue({ storage, logger: silentLogger });
  const ours = (lane: number): Promise<void> => txCycle(q, `pg-${kind}-${inFlight}-${lane}`);
  try {
    await lanes(inFlight, 500, ours);
    await lanes(inFlight, 500, (lane) => peer.cycle(lane));
    const rates = await alternate(inFlight, ours, (lane) => peer.cycle(lane));
    if (peer.emptyFetches > 0) console.log(`    ${peer.label}: ${peer.emptyFetches} empty fetches, fetched again`);
    return rates;
  } finally {
    await q.close();
    await storage.close();
    await peer.close();
  }
}

async function sqliteCase(synchronous: 'full' | 'normal'): Promise<{ ours_hz: number; peer_hz: number }> {
  const storage = openSqlite({ path: join(dir, `cycle-${synchronous}.db`), synchronous });
  const q = await openTxQueue({ storage, logger: silentLogger });
  try {
    await lanes(1, 300, () => txCycle(q, 'warm'));
    const floorPath = join(dir, `floor-${synchronous}.db`);
    return await alternate(
      1,
      () => txCycle(q, 'dev-1'),
      async () => sqliteFloorCycle(floorPath, synchronous),
    );
  } finally {
    await q.close();
    await storage.close();
  }
}

/** Sub-transactions per second of one group transaction to `size` members, committed. */
async function fanOut(storage: SqlDriver, size: number): Promise<number> {
  const members = Array.from({ length: size }, (_, i) => `member-${String(i).padStart(6, '0')}`);
  const q = await openTxQueue({ storage, logger: silentLogger, groups: { members: () => members } });
  try {
    const start = performance.now();
    const { transaction } = await q.enqueue({
      target: { group: `g${size}` },
      kind: 'package',
      payload: { package: 'fw-2.1', op: 'install' },
      timeoutMs: 604_800_000,
    });
    const end = performance.now();
    if (transaction.counts?.total !== size) throw new Error(`fan-out created ${transaction.counts?.total} of ${size}`);
    console.log(`  group of ${size}: ${(end - start).toFixed(0)} ms on ${storage.dialect}`);
    return hz(size, start, end);
  } finally {
    await q.close();
  }
}

export default defineSuite({
  name: 'txqueue',
  description:
    'Per-device transaction queues (`@fleetkit/txqueue`): enqueue → call-in → ack cycles/s on PostgreSQL beside pg-boss send → fetch → complete and graphile-worker addJob → LISTEN/NOTIFY wake → task → completion, on the same scratch server, each lane one device on ours and its own queue on each peer (an empty fetch is fetched again, not counted), a cycle ending when its completion is committed, and beside the floor of three prepared single statements with the durability of ours (two durable commits); the same cycle on SQLite (WAL) beside the floor of three single-statement node:sqlite commits per cycle at the same `synchronous`; group fan-out sub-transactions/s committed.',
  async setup() {
    try {
      pg = await startScratchPostgres();
    } catch (error) {
      return `PostgreSQL unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
    dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-bench-'));
    return undefined;
  },
  cases: () => [
    ...[1, 16].flatMap((inFlight) => [
      {
        name: `PostgreSQL cycle, ${inFlight} in flight (cycles/s)`,
        peer: `pg-boss ${installedVersion('pg-boss')}`,
        goal: 3,
        measure: () => pgCase(inFlight, 'pg-boss'),
      },
      {
        name: `PostgreSQL cycle, ${inFlight} in flight (cycles/s)`,
        peer: `graphile-worker ${installedVersion('graphile-worker')} (LISTEN/NOTIFY)`,
        measure: () => pgCase(inFlight, 'graphile-worker'),
      },
    ]),
    {
      name: 'PostgreSQL cycle, 1 in flight (cycles/s)',
      peer: 'PostgreSQL floor: 3 prepared single statements, 2 durable commits',
      measure: () => pgCase(1, 'floor'),
    },
    {
      name: 'SQLite cycle, synchronous=FULL, the default (cycles/s)',
      peer: 'node:sqlite floor, 3 commits/cycle',
      goal: 0.5,
      measure: () => sqliteCase('full'),
    },
    {
      name: 'SQLite cycle, synchronous=NORMAL (cycles/s)',
      peer: 'node:sqlite floor, 3 commits/cycle',
      goal: 0.5,
      measure: () => sqliteCase('normal'),
    },
    {
      name: 'group of 10k on SQLite (sub-transactions/s)',
      peer: 'node:sqlite, 10k single-row INSERTs in one transaction',
      async measure() {
        const storage = openSqlite({ path: join(dir, 'group-10k.db') });
        try {
          const ours_hz = await fanOut(storage, 10_000);
          return { ours_hz, peer_hz: sqliteBulkFloor(join(dir, 'bulk-10k.db'), 10_000) };
        } finally {
          await storage.close();
        }
      },
    },
    {
      name: 'group of 100k on SQLite (sub-transactions/s)',
      peer: '100k in 2 s',
      reference: 'goal' as const,
      goal: 1,
      async measure() {
        const storage = openSqlite({ path: join(dir, 'group-100k.db') });
        try {
          return { ours_hz: await fanOut(storage, 100_000), peer_hz: 100_000 / 2 };
        } finally {
          await storage.close();
        }
      },
    },
    {
      name: 'group of 100k on PostgreSQL (sub-transactions/s)',
      peer: 'node:sqlite, 100k single-row INSERTs in one transaction',
      async measure() {
        const storage = openPostgres({ connectionString: pg!.url });
        try {
          return {
            ours_hz: await fanOut(storage, 100_000),
            peer_hz: sqliteBulkFloor(join(dir, 'bulk-100k.db'), 100_000),
          };
        } finally {
          await storage.close();
        }
      },
    },
  ],
  async teardown() {
    closeFloors();
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
