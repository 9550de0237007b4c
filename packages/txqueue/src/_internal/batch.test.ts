import { describe, expect, it } from 'vitest';
import { Batcher } from './batch.ts';

/** A batcher whose statements the test finishes by hand. */
function manual(key: (n: number) => string | undefined = () => undefined) {
  const runs: { inputs: readonly number[]; finish: (fail?: boolean) => void }[] = [];
  const b = new Batcher<number, number>(
    (inputs) =>
      new Promise((resolve, reject) => {
        runs.push({
          inputs,
          finish: (fail) =>
            fail && inputs.length > 1 ? reject(new Error('batch failed')) : resolve(inputs.map((n) => n * 10)),
        });
      }),
    key,
  );
  return { b, runs };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('Batcher', () => {
  it('starts a lone call at once and gathers the calls made meanwhile into one batch, in call order', async () => {
    const { b, runs } = manual();
    const first = b.run(1);
    expect(runs.map((r) => r.inputs)).toEqual([[1]]);
    const rest = [b.run(2), b.run(3), b.run(4)];
    runs[0]!.finish();
    expect(await first).toBe(10);
    await tick();
    expect(runs.map((r) => r.inputs)).toEqual([[1], [2, 3, 4]]);
    runs[1]!.finish();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it('never puts two inputs with the same key in one batch', async () => {
    const { b, runs } = manual((n) => String(n % 2));
    const all = [b.run(1), b.run(2), b.run(3), b.run(4), b.run(5)];
    runs[0]!.finish();
    await tick();
    expect(runs[1]!.inputs).toEqual([2, 3]);
    runs[1]!.finish();
    await tick();
    expect(runs[2]!.inputs).toEqual([4, 5]);
    runs[2]!.finish();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });

  it('runs a failed batch again one input at a time, so each caller gets its own outcome', async () => {
    const { b, runs } = manual();
    const first = b.run(1);
    const rest = [b.run(2), b.run(3)];
    runs[0]!.finish();
    await first;
    await tick();
    runs[1]!.finish(true);
    await tick();
    expect(runs.slice(2).map((r) => r.inputs)).toEqual([[2], [3]]);
    for (const r of runs.slice(2)) r.finish();
    expect(await Promise.all(rest)).toEqual([20, 30]);
  });
});
