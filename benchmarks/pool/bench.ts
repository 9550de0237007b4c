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
    "Worker-pool port (`@fleetkit/core/piscina`): CPU scaling with SHA-256 of 1 MiB buffers, and round-trip overhead beside raw piscina 5 with the same worker code; every case runs both sides the same number of times, alternating, after one untimed run of each, and keeps each side's best.",
  async setup() {
    ours2 = createPiscinaPool({ threads: 2 });
    ours1 = createPiscinaPool({ threads: 1 });
    raw = new Piscina({
      filename: new URL('./raw-piscina-worker.ts', import.meta.url).href,
      minThreads: 2,
      maxThreads: 2,
    });
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
      async measure() {
        let mine = new ArrayBuffer(MiB);
        let theirs = new ArrayBuffer(MiB);
        const n = 5_000;
        return alternateBest(
          SAME,
          () =>
            pipelined(
              async () => {
                mine = await ours2.run(echo, { buffer: mine }, { transfer: [mine] });
              },
              n,
              1,
            ),
          () =>
            pipelined(
              async () => {
                theirs = (await raw.run({ buffer: theirs }, { name: 'echo', transferList: [theirs] })) as ArrayBuffer;
              },
              n,
              1,
            ),
        );
      },
    },
  ],
  async teardown() {
    await Promise.all([ours2.close(), ours1.close(), raw.close()]);
  },
});
