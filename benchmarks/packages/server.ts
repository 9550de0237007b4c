// Child process: @fleetkit/server on a SQLite file, served by the Node
// adapter, with a piscina worker pool (2 threads) for hashing. It samples its
// own RSS (worker threads included) every 5 ms, so the parent can ask for the
// peak reached during an upload.
import { parseArgs } from 'node:util';
import { createLogger } from '@fleetkit/core';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openServer } from '@fleetkit/server';
import { listen } from '../../packages/server/src/adapters/node.ts';

const { values } = parseArgs({ options: { sqlite: { type: 'string' }, 'admin-password': { type: 'string' } } });
const pool = createPiscinaPool({ threads: 2 });
const server = await openServer({
  driver: openSqlite({ path: values.sqlite! }),
  logger: createLogger({ level: 'warn' }),
  adminPassword: values['admin-password']!,
  workerPool: pool,
  // 100 downloaders of one image make many range requests each: the per-device budget is not what is measured
  devices: { rateBurst: 1_000_000, ratePerSecond: 1_000_000 },
  packages: { maxImageBytes: 1 << 30 },
});
const listening = await listen(server, { port: 0 });

let peak = process.memoryUsage.rss();
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 5).unref();

process.on('message', (message: { id: number; type: string }) => {
  if (message.type === 'rss') {
    const now = process.memoryUsage.rss();
    process.send!({ id: message.id, value: { rss: now, peak: Math.max(peak, now) } });
    peak = now;
  }
});
process.on('SIGTERM', () => {
  void (async () => {
    await listening.stop(1000);
    await server.close();
    await pool.close();
    process.exit(0);
  })();
});
process.send!({ port: listening.port });
