// Where a 1-in-flight round trip's time goes: per-call latency of the 1 MiB
// echo, every side called in turn so the machine's noise hits all alike.
//   A. one raw piscina pool (2 threads) calling its own `echo`, then our
//      worker entry (dispatch by module and name, `withTransfer`) on the same
//      threads: what our code costs when the threads are the same;
//   B. our pool and a raw pool: what a row of the benchmark compares;
//   C. four 1-thread raw pools running the same code, and how often each
//      worker ran on the vCPU of the calling thread: what the threads cost.
//   node --conditions=source benchmarks/pool/probe.ts [calls]
// Not a benchmark of record (npm run bench -- pool is): a profile to read.
import { defineTask } from '@fleetkit/core';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import { Piscina } from 'piscina';
import { cpu } from './probe-worker.ts';

const MiB = 1 << 20;
const calls = Number(process.argv[2] ?? 10_000);
const tasks = new URL('./tasks.ts', import.meta.url).href;
const echo = defineTask<{ buffer: ArrayBuffer }, ArrayBuffer>(tasks, 'echo');
const probeWorker = new URL('./probe-worker.ts', import.meta.url).href;

type Side = readonly [name: string, call: () => Promise<void>];

/** A side that echoes its own 1 MiB buffer through `run` and keeps what comes back. */
function echoing(name: string, run: (buffer: ArrayBuffer) => Promise<ArrayBuffer>): Side {
  let buffer = new ArrayBuffer(MiB);
  return [
    name,
    async () => {
      buffer = await run(buffer);
    },
  ];
}

function rawPool(threads: number): Piscina {
  return new Piscina({ filename: probeWorker, minThreads: threads, maxThreads: threads });
}

/** Calls every side in turn, the first side rotating, and prints each side's latency quantiles in µs. */
async function interleave(title: string, sides: readonly Side[], after?: (index: number) => Promise<string>) {
  const samples = sides.map(() => new Float64Array(calls));
  for (let i = -Math.min(2000, calls); i < calls; i++) {
    for (let s = 0; s < sides.length; s++) {
      const index = (s + i + calls * sides.length) % sides.length;
      const start = performance.now();
      await sides[index]![1]();
      if (i >= 0) samples[index]![i] = performance.now() - start;
    }
  }
  console.log(`\n${title}`);
  for (let s = 0; s < sides.length; s++) {
    const sorted = samples[s]!.sort();
    const mean = sorted.reduce((sum, x) => sum + x, 0) / calls;
    const at = (q: number) => (sorted[Math.floor(q * (calls - 1))]! * 1000).toFixed(1);
    const extra = after === undefined ? '' : `  ${await after(s)}`;
    console.log(
      `  ${sides[s]![0].padEnd(28)} mean ${(mean * 1000).toFixed(1)}  p10 ${at(0.1)}  p50 ${at(0.5)}  p90 ${at(0.9)}${extra}`,
    );
  }
}

const workerCpu = defineTask<Record<string, never>, number>(probeWorker, 'cpu');

/** How often the worker answering `askCpu` ran on the calling thread's vCPU, over 200 asks. */
async function sameCpuShare(askCpu: () => Promise<number>): Promise<string> {
  let same = 0;
  for (let i = 0; i < 200; i++) {
    const worker = await askCpu();
    // probe-worker's cpu() reads the calling thread's own stat, here the caller's
    if (worker === cpu()) same++;
  }
  return `worker on the caller's vCPU ${Math.round(same / 2)} %`;
}

const shared = rawPool(2);
await interleave('A. the same two worker threads', [
  echoing(
    'raw echo',
    async (buffer) => (await shared.run({ buffer }, { name: 'echo', transferList: [buffer] })) as ArrayBuffer,
  ),
  echoing(
    'our worker entry',
    async (buffer) =>
      (await shared.run(
        { module: tasks, name: 'echo', input: { buffer } },
        { name: 'ours', transferList: [buffer] },
      )) as ArrayBuffer,
  ),
]);
await shared.close();

const ours = createPiscinaPool({ threads: 2 });
const raw = rawPool(2);
await interleave(
  'B. our pool beside a raw pool (as the benchmark row)',
  [
    echoing('ours', (buffer) => ours.run(echo, { buffer }, { transfer: [buffer] })),
    echoing(
      'raw piscina',
      async (buffer) => (await raw.run({ buffer }, { name: 'echo', transferList: [buffer] })) as ArrayBuffer,
    ),
  ],
  (index) =>
    sameCpuShare(async () =>
      index === 0 ? ours.run(workerCpu, {}) : ((await raw.run({}, { name: 'cpu' })) as number),
    ),
);
await Promise.all([ours.close(), raw.close()]);

const singles = [0, 1, 2, 3].map(() => rawPool(1));
await interleave(
  'C. four 1-thread pools, the same code',
  singles.map((pool, k) =>
    echoing(
      `pool ${k}`,
      async (buffer) => (await pool.run({ buffer }, { name: 'echo', transferList: [buffer] })) as ArrayBuffer,
    ),
  ),
  (index) => sameCpuShare(async () => (await singles[index]!.run({}, { name: 'cpu' })) as number),
);
await Promise.all(singles.map((pool) => pool.close()));
