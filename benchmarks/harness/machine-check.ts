import { Worker } from 'node:worker_threads';

// The host of a shared 2-vCPU VM sometimes takes most of the second vCPU
// (docs/benchmark-history.md): every multi-thread and database ratio moves
// with it. Each suite is preceded by the same hashing on
// one worker thread and on two at once; a section whose two threads ran
// below HEALTHY_SCALING × one is marked degraded in docs/benchmarks.md.
export const HEALTHY_SCALING = 1.5;

// CommonJS: an eval'd worker is a script. Hashes `workerData` MiB.
const HASHING = `const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const chunk = Buffer.alloc(1 << 20, 0x5a);
for (let i = 0; i < workerData; i++) createHash('sha256').update(chunk).digest();
parentPort.postMessage('done');`;

/** Wall ms for `threads` workers to hash `mib` MiB each, started together. */
async function hashOn(threads: number, mib: number): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(HASHING, { eval: true, workerData: mib });
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
    ),
  );
  return performance.now() - start;
}

/** What the machine check measured. */
export interface MachineCheck {
  /** How many times one thread's hashing rate two threads reach together (2 = both vCPUs free). */
  readonly twoThreadScaling: number;
  /**
   * One thread's SHA-256 rate, MiB/s: the speed of a vCPU at that moment.
   * The host's slow states lower it for every suite; ratios of cases whose
   * two sides use the CPU differently (a cycle of ours against a floor of
   * bare commits) move with it. Absent in older results.
   */
  readonly oneThreadMiBs?: number;
}

/** Median of three rounds of one thread, then two, hashing `mib` MiB each. */
export async function checkMachine(mib = 128): Promise<MachineCheck> {
  await hashOn(2, 8);
  const rounds: { scaling: number; rate: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const one = await hashOn(1, mib);
    const two = await hashOn(2, mib);
    rounds.push({ scaling: (2 * one) / two, rate: (mib * 1000) / one });
  }
  const median = (values: number[]): number => values.sort((a, b) => a - b)[1]!;
  return {
    twoThreadScaling: Number(median(rounds.map((r) => r.scaling)).toFixed(3)),
    oneThreadMiBs: Math.round(median(rounds.map((r) => r.rate))),
  };
}

/** The line printed before a suite and under its heading in docs/benchmarks.md. */
export function machineLine(check: MachineCheck): string {
  const scaling = check.twoThreadScaling;
  const rate = check.oneThreadMiBs === undefined ? '' : `; one thread hashed ${check.oneThreadMiBs} MiB/s`;
  const figure = `two threads hashed at ${scaling.toFixed(2)}× one thread's rate${rate}`;
  return scaling >= HEALTHY_SCALING
    ? `Machine check before the suite: ${figure} (healthy: ≥ ${HEALTHY_SCALING}).`
    : `**Degraded machine**: before the suite ${figure} (< ${HEALTHY_SCALING}): the host took much of the second vCPU, so multi-thread and database ratios here are not comparable with other runs.`;
}
