// One side of the SQLite cycle alone, for a syscall count of it:
//   strace -f -c -e trace=fsync,fdatasync,pwrite64 \
//     node --conditions=source benchmarks/txqueue/sqlite-syncs.ts engine|floor [cycles] [full|normal]
// The count divided by `cycles` is the durable syncs (and WAL writes) per
// cycle, checkpoints and opening the database included.
// Not a benchmark of record (npm run bench -- txqueue is): a count to read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openTxQueue } from '@fleetkit/txqueue';
import { closeFloors, sqliteFloorCycle } from './sqlite-floor.ts';

const side = process.argv[2] === 'floor' ? 'floor' : 'engine';
const cycles = Number(process.argv[3] ?? 5000);
const synchronous = process.argv[4] === 'full' ? 'full' : 'normal';
const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-syncs-'));
try {
  if (side === 'floor') {
    for (let i = 0; i < cycles; i++) sqliteFloorCycle(join(dir, 'floor.db'), synchronous);
    closeFloors();
  } else {
    const storage = openSqlite({ path: join(dir, 'engine.db'), synchronous });
    const q = await openTxQueue({ storage, logger: silentLogger });
    const device = 'dev-1';
    for (let i = 0; i < cycles; i++) {
      await q.enqueue({
        target: { device },
        kind: 'rpc',
        payload: { op: 'beep', duration: 500 },
        timeoutMs: 3_600_000,
      });
      const [d] = await q.callIn(device, { limit: 1 });
      await q.ack(device, { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
    }
    await q.close();
    await storage.close();
  }
  console.log(`${side}: ${cycles} cycles at synchronous=${synchronous}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
