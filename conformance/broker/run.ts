import { Skip } from '../runner/check.ts';
import { checks as allChecks, type Check } from './checks.ts';
import { CheckContext, type Target } from './context.ts';

/** The outcome of one check. */
export interface CheckResult {
  readonly index: number;
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
  /** Why the check could not run (e.g. no command to restart the broker): it counts as passed. */
  readonly skipped?: string;
}

/** Options of {@link runBrokerConformance}. */
export interface RunOptions {
  /** Called after each check (the CLI prints a progress line). */
  readonly onResult?: (result: CheckResult, total: number) => void;
  /** Only checks whose name contains this text. */
  readonly filter?: string;
  /** Default: every check of `checks.ts`. */
  readonly checks?: readonly Check[];
}

/** Runs the broker lifecycle checks one after another against `target`. */
export async function runBrokerConformance(target: Target, options: RunOptions = {}): Promise<CheckResult[]> {
  const selected = (options.checks ?? allChecks).filter(
    (c) => options.filter === undefined || c.name.includes(options.filter),
  );
  const run = `cf${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const results: CheckResult[] = [];
  for (const [i, check] of selected.entries()) {
    const ctx = new CheckContext(target, `${run}-${i + 1}`);
    const start = performance.now();
    let failure: string | undefined;
    let skipped: string | undefined;
    try {
      await check.run(ctx);
    } catch (e) {
      if (e instanceof Skip) skipped = e.message;
      else failure = e instanceof Error ? e.message : String(e);
    } finally {
      await ctx.dispose();
    }
    const result = {
      index: i + 1,
      name: check.name,
      ok: failure === undefined,
      ms: Math.round(performance.now() - start),
      ...(failure === undefined ? {} : { error: failure }),
      ...(skipped === undefined ? {} : { skipped }),
    };
    results.push(result);
    options.onResult?.(result, selected.length);
  }
  return results;
}

/** One progress line: `ok 3/18 name (12 ms)`, `skip 3/18 name: reason` or `FAIL 3/18 name: reason`. */
export function progressLine(r: CheckResult, total: number): string {
  if (r.skipped !== undefined) return `skip ${r.index}/${total} ${r.name}: ${r.skipped}`;
  return r.ok ? `ok   ${r.index}/${total} ${r.name} (${r.ms} ms)` : `FAIL ${r.index}/${total} ${r.name}: ${r.error}`;
}
