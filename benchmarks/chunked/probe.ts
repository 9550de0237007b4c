// Where the pool's time goes when it encodes a Uint8Array: wall time, the
// whole process's CPU and the calling thread's CPU per image, in-thread and
// on a 2-thread pool, alternating, median of 11; then the ceiling the CPU
// allows on 2 cores (in-thread wall ÷ (pool CPU ÷ 2)).
//   node --conditions=source benchmarks/chunked/probe.ts [MiB]
// Not a benchmark of record (npm run bench -- chunked is): a profile to read.
import { encodeImage } from '@fleetkit/chunked';
import { seededImage } from '@fleetkit/chunked/testing';
import { createPiscinaPool } from '@fleetkit/core/piscina';

const MiB = 1 << 20;
const size = Number(process.argv[2] ?? 64) * MiB;
const image = seededImage(size, 15);
const pool = createPiscinaPool({ threads: 2 });

function encode(onPool: boolean) {
  return encodeImage(image, {
    name: 'probe',
    version: '1',
    sequence: 1,
    chunkSize: MiB,
    ...(onPool ? { pool, poolThreshold: 0 } : {}),
    onChunk: () => undefined,
  });
}

interface Sample {
  readonly wall: number;
  readonly process: number;
  readonly caller: number;
}

async function sample(onPool: boolean): Promise<Sample> {
  const process0 = process.cpuUsage();
  const caller0 = process.threadCpuUsage();
  const start = performance.now();
  await encode(onPool);
  const wall = performance.now() - start;
  const processUsed = process.cpuUsage(process0);
  const callerUsed = process.threadCpuUsage(caller0);
  return {
    wall,
    process: (processUsed.user + processUsed.system) / 1000,
    caller: (callerUsed.user + callerUsed.system) / 1000,
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const runs = { inThread: [] as Sample[], pool: [] as Sample[] };
for (let i = 0; i < 2; i++) {
  await encode(false);
  await encode(true);
}
for (let i = 0; i < 11; i++) {
  runs.inThread.push(await sample(false));
  runs.pool.push(await sample(true));
}
const figures = Object.fromEntries(
  Object.entries(runs).map(([side, samples]) => [
    side,
    {
      wall: median(samples.map((s) => s.wall)),
      best: Math.min(...samples.map((s) => s.wall)),
      process: median(samples.map((s) => s.process)),
      caller: median(samples.map((s) => s.caller)),
    },
  ]),
) as Record<keyof typeof runs, { wall: number; best: number; process: number; caller: number }>;
console.log(`${size / MiB} MiB image, ms per image (median of 11; best wall in brackets)`);
for (const [side, f] of Object.entries(figures)) {
  const workers = f.process - f.caller;
  console.log(
    `  ${side.padEnd(9)} wall ${f.wall.toFixed(1)} (${f.best.toFixed(1)})  process CPU ${f.process.toFixed(1)}  calling thread ${f.caller.toFixed(1)}  other threads ${workers.toFixed(1)}`,
  );
}
const { inThread, pool: onPool } = figures;
console.log(
  `  pool ÷ in-thread: ${(inThread.wall / onPool.wall).toFixed(2)}× median, ${(inThread.best / onPool.best).toFixed(2)}× best; ` +
    `CPU per byte ${(onPool.process / inThread.process).toFixed(2)}× in-thread, so 2 cores allow at most ${((2 * inThread.wall) / onPool.process).toFixed(2)}×`,
);
await pool.close();
