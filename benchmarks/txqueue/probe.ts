// Counts what one PostgreSQL enqueue → call-in → ack cycle costs, beside the
// same work on pg-boss and graphile-worker (peers.ts): every statement the
// driver sends (background work included), its round-trip time, the CPU of
// this process and of the PostgreSQL server, and the server's commits, WAL
// records, WAL bytes and WAL flushes (pg_stat_wal.wal_sync: the durable
// commits) per cycle. Counts, unlike rates, do not move with the machine's load.
//   node --conditions=source benchmarks/txqueue/probe.ts [cycles] [inFlight]
// Not a benchmark of record (npm run bench -- txqueue is): a profile to read.
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { type SqlDriver, silentLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openTxQueue } from '@fleetkit/txqueue';
import pg from 'pg';
import { startScratchPostgres } from '../../scripts/postgres.ts';
import { openGraphileWorker, openPgBoss, openPostgresFloor, type PeerQueue } from './peers.ts';

const cycles = Number(process.argv[2] ?? 2000);
const inFlight = Number(process.argv[3] ?? 1);
const server = await startScratchPostgres();

/** CPU ms of every process of the cluster (postmaster and its children). */
function serverCpuMs(): number {
  const ticks = 100;
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!cmd.startsWith('postgres') && !cmd.includes(server.dir)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
    } catch {}
  }
  return total;
}

// PROBE_GUC="name=value;name=value": server settings for an experiment (ALTER SYSTEM, reloaded)
if (process.env.PROBE_GUC) {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  if (process.env.PROBE_GUC.includes('auto_explain')) await admin.query("LOAD 'auto_explain'");
  for (const pair of process.env.PROBE_GUC.split(';')) {
    const [name, value] = pair.split('=');
    await admin.query(`ALTER SYSTEM SET ${name} = '${value}'`);
  }
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  console.log(`server log: ${server.dir}/log`);
}

const stats = new Map<string, { n: number; ms: number }>();
let tracing = false;
const origQuery = pg.Client.prototype.query;
if (process.env.PROBE_TRACE !== '0')
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const cfg = args[0] as string | { text?: string };
    const text = (typeof cfg === 'string' ? cfg : (cfg?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 90);
    const t0 = performance.now();
    const done = (): void => {
      if (!tracing) return;
      const s = stats.get(text) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      stats.set(text, s);
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        done();
        return cb(...a);
      };
    }
    const r = (origQuery as (...a: unknown[]) => unknown).apply(this, args);
    if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(done, () => {});
    return r;
  } as typeof origQuery;

interface WalCounters {
  readonly commits: number;
  readonly records: number;
  readonly bytes: number;
  readonly writes: number;
  readonly syncs: number;
}

const admin = new pg.Client({ connectionString: server.url });
await admin.connect();

/**
 * The server's cumulative commits and WAL counters. Backends report their
 * counts when idle, at most every 10 s on PostgreSQL 15 (PGSTAT_IDLE_INTERVAL):
 * wait that long first so every count of the run is in.
 */
async function walCounters(): Promise<WalCounters> {
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const { rows } = await admin.query<{
    commits: string;
    records: string;
    bytes: string;
    writes: string;
    syncs: string;
  }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
            wal_records AS records, wal_bytes AS bytes, wal_write AS writes, wal_sync AS syncs FROM pg_stat_wal`,
  );
  const r = rows[0]!;
  return {
    commits: Number(r.commits),
    records: Number(r.records),
    bytes: Number(r.bytes),
    writes: Number(r.writes),
    syncs: Number(r.syncs),
  };
}

async function run(name: string, cycle: (lane: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < 300; i++) await cycle(0);
  const wal0 = process.env.PROBE_WAL === '0' ? undefined : await walCounters();
  stats.clear();
  tracing = true;
  const cpu0 = process.cpuUsage();
  const srv0 = serverCpuMs();
  const t0 = performance.now();
  let left = cycles;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      while (left-- > 0) await cycle(lane);
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const srv = serverCpuMs() - srv0;
  tracing = false;
  console.log(
    `\n${name}: ${cycles} cycles, ${inFlight} in flight: ${((cycles / wall) * 1000).toFixed(0)} cycles/s, ${(wall / cycles).toFixed(3)} ms/cycle`,
  );
  console.log(
    `  node cpu ${((cpu.user + cpu.system) / 1000 / cycles).toFixed(3)} ms/cycle (system ${(cpu.system / 1000 / cycles).toFixed(3)}), server cpu ${(srv / cycles).toFixed(3)} ms/cycle`,
  );
  if (wal0 !== undefined) {
    const wal1 = await walCounters();
    const per = (key: keyof WalCounters): string => ((wal1[key] - wal0[key]) / cycles).toFixed(2);
    console.log(
      `  server per cycle: ${per('commits')} commits (read-only ones included), ${per('records')} WAL records, ${per('bytes')} WAL bytes, ${per('writes')} WAL writes, ${per('syncs')} WAL flushes (durable commits, background flushes included)`,
    );
  }
  const vac = await storage.query<{
    relname: string;
    n_live_tup: number;
    n_dead_tup: number;
    autovacuum_count: number;
    autoanalyze_count: number;
    n_tup_upd: number;
    n_tup_hot_upd: number;
  }>(
    "SELECT relname, n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname LIKE 'txq%' ORDER BY relname",
  );
  console.log(
    `  ${vac.map((v) => `${v.relname}: live ${v.n_live_tup} dead ${v.n_dead_tup} autovacuum ${v.autovacuum_count} autoanalyze ${v.autoanalyze_count} upd ${v.n_tup_upd} hot ${v.n_tup_hot_upd}`).join('; ')}`,
  );
  for (const [text, s] of [...stats].sort((a, b) => b[1].n - a[1].n)) {
    console.log(`  ${(s.n / cycles).toFixed(3)}/cycle  ${(s.ms / s.n).toFixed(3)} ms  ${text}`);
  }
}

const storage: SqlDriver = openPostgres({ connectionString: server.url, max: 20 });
const q = await openTxQueue({ storage, logger: silentLogger });
const peers: PeerQueue[] = [];
if (process.env.PROBE_ONLY !== 'ours') {
  peers.push(await openPgBoss(server.url, inFlight, 'probe_boss'));
  peers.push(await openGraphileWorker(server.url, inFlight, 'probe_gw'));
}
peers.push(await openPostgresFloor(server.url, inFlight, 'probe'));
try {
  for (let round = 0; round < Number(process.env.PROBE_ROUNDS ?? 2); round++) {
    await run('ours', async (lane) => {
      const device = `probe-${lane}`;
      await q.enqueue({
        target: { device },
        kind: 'rpc',
        payload: { op: 'beep', duration: 500 },
        timeoutMs: 3_600_000,
      });
      const [d] = await q.callIn(device, { limit: 1 });
      if (!d) throw new Error('nothing');
      const r = await q.ack(device, { transactionId: d.transactionId, attempt: d.attempt, status: 'complete' });
      if (r.outcome !== 'applied') throw new Error(r.outcome);
    });
    for (const peer of peers) await run(peer.label, (lane) => peer.cycle(lane));
  }
} finally {
  await q.close();
  await storage.close();
  for (const peer of peers) await peer.close();
  await admin.end();
  if (process.env.PROBE_KEEP_LOG) copyFileSync(`${server.dir}/log`, process.env.PROBE_KEEP_LOG);
  server.stop();
}
