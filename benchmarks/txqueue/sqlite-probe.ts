// Counts what one SQLite enqueue → call-in → ack cycle costs, step by step:
// the statements the engine runs (BEGIN/COMMIT included), the WAL frames
// (pages) each step's commit writes, and the CPU per step.
//   node --conditions=source benchmarks/txqueue/sqlite-probe.ts [cycles] [full|normal]
// Not a benchmark of record (npm run bench -- txqueue is): a profile to read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openTxQueue } from '@fleetkit/txqueue';
import { closeFloors, sqliteFloorCycle } from './sqlite-floor.ts';

const cycles = Number(process.argv[2] ?? 2000);
const synchronous = process.argv[3] === 'full' ? 'full' : 'normal';
const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-probe-'));
const path = join(dir, 'probe.db');

// statement log: node:sqlite's StatementSync and DatabaseSync.exec, counted per step
const counts = new Map<string, number>();
let step = '';
const count = (sql: string): void => {
  const key = `${step}: ${sql.replace(/\s+/g, ' ').slice(0, 100)}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
};
const proto = DatabaseSync.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
const origExec = proto.exec!;
const origPrepare = proto.prepare!;
let prepares = 0;
// PROBE_LOG=1: the statement log (it costs CPU of its own: read the CPU figures of a run without it)
if (process.env.PROBE_LOG === '1') {
  proto.exec = function (this: DatabaseSync, sql: unknown) {
    if (step) count(String(sql));
    return origExec.call(this, sql);
  };
  proto.prepare = function (this: DatabaseSync, sql: unknown) {
    if (step) prepares++;
    const stmt = origPrepare.call(this, sql) as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ['all', 'run', 'get']) {
      const f = stmt[m]!.bind(stmt);
      stmt[m] = (...args: unknown[]) => {
        if (step) count(String(sql));
        return f(...args);
      };
    }
    return stmt;
  };
}

const storage = openSqlite({ path, synchronous });
const q = await openTxQueue({ storage, logger: silentLogger });
await storage.exec('PRAGMA wal_autocheckpoint = 0');
/** WAL frames written since the last call: a passive checkpoint reports them, a truncating one restarts the WAL. */
const frames = async (): Promise<number> => {
  const [r] = await storage.query<{ log: number }>('PRAGMA wal_checkpoint(PASSIVE)');
  await storage.query('PRAGMA wal_checkpoint(TRUNCATE)');
  return Number(r!.log);
};

const device = 'dev-1';
const enqueue = () =>
  q.enqueue({ target: { device }, kind: 'rpc', payload: { op: 'beep', duration: 500 }, timeoutMs: 3_600_000 });
for (let i = 0; i < 200; i++) {
  await enqueue();
  const [d] = await q.callIn(device, { limit: 1 });
  await q.ack(device, { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
}

// WAL frames per step's commit, untimed (a checkpoint after each step)
const perStep = { enqueue: { cpu: 0, frames: 0 }, callIn: { cpu: 0, frames: 0 }, ack: { cpu: 0, frames: 0 } };
await frames();
const frameCycles = 200;
for (let i = 0; i < frameCycles; i++) {
  await enqueue();
  perStep.enqueue.frames += await frames();
  const [d] = await q.callIn(device, { limit: 1 });
  perStep.callIn.frames += await frames();
  await q.ack(device, { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
  perStep.ack.frames += await frames();
}
await storage.exec('PRAGMA wal_autocheckpoint = 1000');

// CPU per step, cycle by cycle as the benchmark runs them
const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const wall0 = performance.now();
const cpu0 = cpu();
for (let i = 0; i < cycles; i++) {
  step = 'enqueue';
  let c = cpu();
  await enqueue();
  let c2 = cpu();
  perStep.enqueue.cpu += c2 - c;
  step = 'callIn';
  c = c2;
  const [d] = await q.callIn(device, { limit: 1 });
  c2 = cpu();
  perStep.callIn.cpu += c2 - c;
  step = 'ack';
  c = c2;
  await q.ack(device, { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
  c2 = cpu();
  perStep.ack.cpu += c2 - c;
  step = '';
}
const wall = performance.now() - wall0;
console.log(
  `synchronous=${synchronous}, ${cycles} cycles: ${((cycles * 1000) / wall).toFixed(0)} cycles/s, ${((cpu() - cpu0) / cycles).toFixed(1)} µs CPU per cycle`,
);
for (const [name, s] of Object.entries(perStep)) {
  console.log(
    `${name.padEnd(8)} ${(s.cpu / cycles).toFixed(1).padStart(6)} µs CPU  ${(s.frames / frameCycles).toFixed(2)} WAL frames`,
  );
}
const floorPath = join(dir, 'floor.db');
for (let i = 0; i < 200; i++) sqliteFloorCycle(floorPath, synchronous);
const fWall = performance.now();
const fCpu = cpu();
for (let i = 0; i < cycles; i++) sqliteFloorCycle(floorPath, synchronous);
console.log(
  `floor (same run): ${((cycles * 1000) / (performance.now() - fWall)).toFixed(0)} cycles/s, ${((cpu() - fCpu) / cycles).toFixed(1)} µs CPU per cycle`,
);
closeFloors();
if (process.env.PROBE_LOG === '1') console.log(`prepares during the steps: ${prepares}`);
for (const [k, n] of [...counts].sort()) console.log(`${(n / cycles).toFixed(2).padStart(6)}  ${k}`);
await q.close();
await storage.close();
rmSync(dir, { recursive: true, force: true });
