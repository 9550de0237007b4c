import { CheckFailure, type CheckResult, Skip, type Status } from './check.ts';
import type { Env } from './env.ts';
import type { Suite } from './suite.ts';

/** Options of {@link runSuites}. */
export interface RunOptions {
  /** Called after each check (the CLI prints a progress line). */
  readonly onResult?: (result: CheckResult) => void;
}

/** Runs `suites` one after another against `env`; every check's result, in order. */
export async function runSuites(env: Env, suites: readonly Suite[], options: RunOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (result: CheckResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  for (const suite of suites) {
    let index = 0;
    const started = performance.now();
    let plan: Awaited<ReturnType<Suite['plan']>>;
    try {
      plan = await suite.plan(env);
    } catch (error) {
      const [status, reason] = outcome(error);
      report({ suite: suite.name, index: ++index, name: `${suite.title}: set-up`, status, ms: since(started), reason });
      continue;
    }
    try {
      for (const check of plan.checks) {
        const start = performance.now();
        let status: Status = 'passed';
        let reason: string | undefined;
        try {
          await check.run();
        } catch (error) {
          [status, reason] = outcome(error);
        }
        report({
          suite: suite.name,
          index: ++index,
          name: check.name,
          status,
          ms: since(start),
          ...(reason === undefined ? {} : { reason }),
        });
      }
    } finally {
      await plan.dispose?.();
    }
  }
  return results;
}

function outcome(error: unknown): [Status, string] {
  if (error instanceof Skip) return ['skipped', error.message];
  if (error instanceof CheckFailure) return ['failed', error.message];
  return ['failed', error instanceof Error ? `${error.name}: ${error.message}` : String(error)];
}

function since(start: number): number {
  return Math.round(performance.now() - start);
}
