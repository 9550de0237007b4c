import { defineTask, type WorkerPool } from '@fleetkit/core';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import { Piscina } from 'piscina';
import { alternateBest } from '../harness/alternate.ts';
import { defineSuite, hz } from '../harness/suite.ts';

const tasks = new URL('./tasks.ts', import.meta.url).href;
const tiny = defineTask<{ x: number }, number>(tasks, 'tiny');
const sha256 = defineTask<{ buffer: ArrayBuffer }, { buffer: ArrayBuffer; first: number }>(tasks, 'sha256');
const echo = defineTask<{ buffer: ArrayBuffer }, ArrayBuffer>(tasks, 'echo');

const MiB = 1 << 20;
// every measured case runs each side this often, alternating (harness/alternate.ts)
const SAME = { warmups: 1, rounds: 3 };
const HASHED_MIB = 256;
const ECHOES = 5_000;
let ours2: WorkerPool;
let ours1: WorkerPool;
let raw: Piscina;

/** Hashes HASHED_MIB buffers of 1 MiB with `inFlight` buffers cycling through the pool. */
async function hashThroughput(pool: WorkerPool, inFlight: number): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    let buffer = new Uint8Array(MiB).fill(0x5a).buffer;
    while (next < HASHED_MIB) {
      next++;
      ({ buffer } = await pool.run(sha256, { buffer }, { transfer: [buffer] }));
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return hz(HASHED_MIB, start, performance.now());
}

/** Raw piscina with the same worker code and thread count as our pool. */
function rawPiscina(): Piscina {
  return new Piscina({
    filename: new URL('./raw-piscina-worker.ts', import.meta.url).href,
    minThreads: 2,
    maxThreads: 2,
  });
}

/** Runs `measure` on a pool made for it alone, then closes that pool. */
async function withFresh<Pool>(
  create: () => Pool,
  close: (pool: Pool) => Promise<void>,
  measure: (pool: Pool) => Promise<number>,
): Promise<number> {
  const pool = create();
  try {
    return await measure(pool);
  } finally {
    await close(pool);
  }
}

/** Warms both threads with tiny tasks, then echoes one 1 MiB buffer ECHOES times, 1 in flight: round trips/s. */
async function echoRate(
  tinyTask: (x: number) => Promise<unknown>,
  echoTask: (buffer: ArrayBuffer) => Promise<ArrayBuffer>,
): Promise<number> {
  await Promise.all(Array.from({ length: 8 }, (_, x) => tinyTask(x)));
  let buffer = new ArrayBuffer(MiB);
  return pipelined(
    async () => {
      buffer = await echoTask(buffer);
    },
    ECHOES,
    1,
  );
}

async function pipelined(run: (i: number) => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) await run(next++);
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return hz(total, start, performance.now());
}

export default defineSuite({
  name: 'pool',
  description:
    "Worker-pool port (`@fleetkit/core/piscina`): CPU scaling with SHA-256 of 1 MiB buffers, and round-trip overhead beside raw piscina 5 with the same worker code; every case runs both sides the same number of times, alternating, after one untimed run of each, and keeps each side's best; the 1 MiB round trip builds a fresh pool on each side for each of its 7 runs and keeps each side's median, so where the scheduler happened to keep one worker thread does not decide the row.",
  async setup() {
    ours2 = createPiscinaPool({ threads: 2 });
    ours1 = createPiscinaPool({ threads: 1 });
    raw = rawPiscina();
    // warm every thread and module cache before timing
    await Promise.all([
      ...Array.from({ length: 8 }, (_, x) => ours2.run(tiny, { x })),
      ...Array.from({ length: 8 }, (_, x) => ours1.run(tiny, { x })),
    ]);
    await Promise.all(Array.from({ length: 8 }, (_, x) => raw.run({ x }, { name: 'tiny' })));
    return undefined;
  },
  cases: () => [
    {
      name: 'SHA-256 1 MiB buffers (MiB/s), 2 workers vs 1 worker',
      peer: 'same pool, 1 worker',
      goal: 1.7,
      measure: () =>
        alternateBest(
          SAME,
          () => hashThroughput(ours2, 4),
          () => hashThroughput(ours1, 4),
        ),
    },
    {
      name: 'tiny task round trip, 1 in flight',
      ours: () => ours2.run(tiny, { x: 1 }),
      peer: 'raw piscina 5',
      peerFn: () => raw.run({ x: 1 }, { name: 'tiny' }),
      goal: 1 / 1.2,
    },
    {
      name: 'tiny tasks, 64 in flight',
      peer: 'raw piscina 5',
      goal: 1 / 1.2,
      async measure() {
        const n = 20_000;
        return alternateBest(
          SAME,
          () => pipelined((x) => ours2.run(tiny, { x }), n, 64),
          () => pipelined((x) => raw.run({ x }, { name: 'tiny' }), n, 64),
        );
      },
    },
    {
      name: '1 MiB ArrayBuffer transferred in and back',
      peer: 'raw piscina 5',
      goal: 1 / 1.2,
      // A fresh pool on each side for every run: at 1 in flight the round trip
      // is two thread wake-ups, and where the scheduler keeps a worker thread
      // moves it more than either side's code (decision core-002).
      measure: () =>
        alternateBest(
          { warmups: 1, rounds: 7, keep: 'median' },
          () =>
            withFresh(
              () => createPiscinaPool({ threads: 2 }),
              (pool) => pool.close(),
              (pool) =>
                echoRate(
                  (x) => pool.run(tiny, { x }),
                  (buffer) => pool.run(echo, { buffer }, { transfer: [buffer] }),
                ),
            ),
          () =>
            withFresh(
              rawPiscina,
              (pool) => pool.close(),
              (pool) =>
                echoRate(
                  (x) => pool.run({ x }, { name: 'tiny' }),
                  async (buffer) =>
                    (await pool.run({ buffer }, { name: 'echo', transferList: [buffer] })) as ArrayBuffer,
                ),
            ),
        ),
    },
  ],
  async teardown() {
    await Promise.all([ours2.close(), ours1.close(), raw.close()]);
  },
});
