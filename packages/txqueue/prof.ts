import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openTxQueue } from '@fleetkit/txqueue';
import { rmSync } from 'node:fs';
rmSync('/tmp/prof.db', { force: true }); rmSync('/tmp/prof.db-wal', { force: true });
const storage = openSqlite({ path: '/tmp/prof.db', synchronous: 'normal' });
const q = await openTxQueue({ storage, logger: silentLogger });
for (const sql of [
  "EXPLAIN QUERY PLAN UPDATE txq_tx SET state='timed-out' WHERE target = 'd:x' AND finished_at IS NULL AND (deadline <= 5 OR cancel_deadline <= 5)",
  "EXPLAIN QUERY PLAN SELECT id FROM txq_tx WHERE target = 'd:x' AND finished_at IS NULL AND (lease_until IS NULL OR lease_until <= 5) ORDER BY id LIMIT 3",
]) console.log((await storage.query(sql)).map((r) => r.detail));
let t = { e: 0, c: 0, a: 0 };
const N = 3000;
const start = performance.now();
for (let i = 0; i < N; i++) {
  let s = performance.now();
  await q.enqueue({ target: { device: 'dev' }, kind: 'rpc', payload: { op: 'beep' }, timeoutMs: 3600000 });
  t.e += performance.now() - s; s = performance.now();
  const [d] = await q.callIn('dev', { limit: 1 });
  t.c += performance.now() - s; s = performance.now();
  await q.ack('dev', { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
  t.a += performance.now() - s;
}
console.log('cycles/s', (N * 1000) / (performance.now() - start), 'per step µs', t.e / N * 1000, t.c / N * 1000, t.a / N * 1000);
await q.close(); await storage.close();
