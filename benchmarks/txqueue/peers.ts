// The PostgreSQL job queues a user would pick instead of txqueue, each doing
// the work of one txqueue cycle (a job created, claimed, completed: three
// commits), with the same lane layout as ours: a lane is one device, and one
// device is its own queue, so each lane here has its own queue too.
import { Logger, run as runGraphileWorker } from 'graphile-worker';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { installedVersion } from '../harness/versions.ts';

const PAYLOAD = { op: 'beep', duration: 500 };

/** A peer's cycle on one lane, and how it shuts down. */
export interface PeerQueue {
  /** "pg-boss 12.38.1": the name and the installed version. */
  readonly label: string;
  /** One job created, claimed and completed on `lane`'s own queue; resolves once the completion is committed. */
  cycle(lane: number): Promise<void>;
  /** Fetches that came back empty and were fetched again (never counted as a cycle). */
  readonly emptyFetches: number;
  close(): Promise<void>;
}

/** pg-boss: send → fetch → complete, each lane on its own queue (pg-boss's unit of isolation). */
export async function openPgBoss(url: string, lanes: number, prefix: string): Promise<PeerQueue> {
  const boss = new PgBoss({ connectionString: url, max: 20, schedule: false, supervise: false });
  boss.on('error', () => {});
  await boss.start();
  const queues = Array.from({ length: lanes }, (_, lane) => `${prefix}_${lane}`);
  for (const queue of queues) await boss.createQueue(queue);
  let emptyFetches = 0;
  return {
    label: `pg-boss ${installedVersion('pg-boss')}`,
    get emptyFetches() {
      return emptyFetches;
    },
    async cycle(lane) {
      const queue = queues[lane]!;
      await boss.send(queue, PAYLOAD);
      for (;;) {
        const [job] = await boss.fetch(queue);
        if (job !== undefined) {
          // the job itself, not its id: the completion then applies to the attempt fetched, as ours acks one attempt
          await boss.complete(queue, job);
          return;
        }
        emptyFetches++;
      }
    },
    async close() {
      await boss.stop({ graceful: false });
    },
  };
}

/** Whether a statement graphile-worker sends is its job completion (a DELETE of the finished jobs). */
function completedIds(config: unknown): readonly string[] {
  if (typeof config !== 'object' || config === null) return [];
  const { text, values } = config as { text?: unknown; values?: unknown[] };
  if (typeof text !== 'string' || !/delete from \S+\._private_jobs/.test(text)) return [];
  const ids = values?.[0];
  return (Array.isArray(ids) ? ids : [ids]).map(String);
}

/**
 * graphile-worker: addJob (its trigger NOTIFYs the worker's LISTEN) → the
 * worker's get_job → the task runs → the completion DELETE. Each lane's jobs
 * carry the lane's `queueName`, which graphile-worker runs serially, as ours
 * runs one device's queue. The worker does not await its completion before
 * emitting `job:complete`, so the pool's clients are watched and a cycle ends
 * when the completion statement returns: the same three commits ours awaits.
 */
export async function openGraphileWorker(url: string, lanes: number, prefix: string): Promise<PeerQueue> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on('error', () => {});
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]): unknown => {
      const result = query(...args);
      const ids = completedIds(args[0]);
      if (ids.length > 0 && result instanceof Promise) {
        result.then(
          () => {
            for (const id of ids) {
              const resolve = waiting.get(id);
              if (resolve === undefined) early.add(id);
              else {
                waiting.delete(id);
                resolve();
              }
            }
          },
          () => {},
        );
      }
      return result;
    };
  });
  const runner = await runGraphileWorker({
    pgPool: pool,
    schema: `${prefix}_graphile_worker`,
    concurrency: lanes,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: new Logger(() => () => {}),
    taskList: { beep: async () => {} },
  });
  return {
    label: `graphile-worker ${installedVersion('graphile-worker')}`,
    emptyFetches: 0,
    async cycle(lane) {
      const job = await runner.addJob('beep', PAYLOAD, { queueName: `${prefix}-${lane}` });
      // the completion can return before addJob's own promise settles here
      if (early.delete(job.id)) return;
      await new Promise<void>((resolve) => waiting.set(job.id, resolve));
    },
    async close() {
      await runner.stop();
      await pool.end();
    },
  };
}

/**
 * Not a peer: the least a cycle with ours' durability can cost on the same
 * server. Three single statements on one connection per lane, prepared once:
 * an INSERT and the final UPDATE commit durably, the delivery UPDATE
 * asynchronously (txqueue-002's rule), each on one row of a jobs table with a
 * state index, as the SQLite floor (sqlite-floor.ts). No peer or engine can
 * run the same commits in less, so peer ÷ floor bounds any ratio to a peer.
 */
export async function openPostgresFloor(url: string, lanes: number, prefix: string): Promise<PeerQueue> {
  const table = `${prefix}_floor_jobs`;
  const clients = await Promise.all(
    Array.from({ length: lanes }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  await clients[0]!.query(
    `CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, state text NOT NULL, payload text, created_at bigint, updated_at bigint)`,
  );
  await clients[0]!.query(`CREATE INDEX IF NOT EXISTS ${table}_state ON ${table} (state, id)`);
  const payload = JSON.stringify(PAYLOAD);
  return {
    label: 'PostgreSQL floor: 3 single statements, 2 durable commits',
    emptyFetches: 0,
    async cycle(lane) {
      const client = clients[lane]!;
      const now = Date.now();
      const { rows } = await client.query<{ id: string }>({
        name: 'floor-insert',
        text: `INSERT INTO ${table} (state, payload, created_at, updated_at) VALUES ('queued', $1, $2, $2) RETURNING id`,
        values: [payload, now],
      });
      const id = rows[0]!.id;
      await client.query({
        name: 'floor-deliver',
        text: `UPDATE ${table} SET state = 'delivered', updated_at = $2 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg WHERE id = $1`,
        values: [id, now],
      });
      await client.query({
        name: 'floor-complete',
        text: `UPDATE ${table} SET state = 'complete', updated_at = $2 WHERE id = $1`,
        values: [id, now],
      });
    },
    async close() {
      await Promise.all(clients.map((c) => c.end()));
    },
  };
}
