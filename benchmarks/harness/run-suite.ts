import { Bench } from 'tinybench';
import type { BenchCase, CaseResult, Suite } from './suite.ts';

/** Options of {@link runSuite}. */
export interface RunSuiteOptions {
  /** Milliseconds tinybench spends on each side of a timed case. */
  readonly timeMs: number;
}

async function timeOne(name: string, fn: () => unknown, timeMs: number): Promise<number> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(250, timeMs / 2), throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]?.result as { period?: number } | undefined;
  if (!result?.period) throw new Error(`tinybench produced no result for ${name}`);
  return 1000 / result.period;
}

async function measureCase(c: BenchCase, options: RunSuiteOptions): Promise<CaseResult> {
  let ours_hz: number;
  let peer_hz: number;
  if ('measure' in c) {
    ({ ours_hz, peer_hz } = await c.measure());
  } else {
    // alternate sides twice and keep each side's better run: the machine's
    // noise (docs/sources.md, Performance baselines) hits both sides alike
    const o1 = await timeOne(`${c.name} (ours)`, c.ours, options.timeMs / 2);
    const p1 = await timeOne(`${c.name} (${c.peer})`, c.peerFn, options.timeMs / 2);
    const o2 = await timeOne(`${c.name} (ours)`, c.ours, options.timeMs / 2);
    const p2 = await timeOne(`${c.name} (${c.peer})`, c.peerFn, options.timeMs / 2);
    ours_hz = Math.max(o1, o2);
    peer_hz = Math.max(p1, p2);
  }
  return {
    name: c.name,
    ours_hz,
    peer: c.peer,
    peer_hz,
    ratio: ours_hz / peer_hz,
    ...(c.goal === undefined ? {} : { goal: c.goal }),
    ...('reference' in c && c.reference !== undefined ? { reference: c.reference } : {}),
  };
}

/** Runs every case of a suite; `onCase` sees each result as it lands. */
export async function runSuite(
  suite: Suite,
  options: RunSuiteOptions,
  onCase: (r: CaseResult) => void,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of await suite.cases()) {
    const r = await measureCase(c, options);
    results.push(r);
    onCase(r);
  }
  return results;
}
