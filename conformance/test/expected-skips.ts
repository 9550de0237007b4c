import type { CheckResult } from '../runner/check.ts';

/**
 * What a run against our server may skip, and why: the package rows of
 * Table 2 on a server without package methods (the allowed cells meet
 * -32601; the refused cells are still decided) and the suite not written
 * yet. Anything else skipped fails the test, so a skip cannot hide a gap.
 */
export function unexpectedSkips(results: readonly CheckResult[]): string[] {
  return results
    .filter((r) => r.status === 'skipped')
    .filter(
      (r) =>
        !(r.suite === 'rbac-matrix' && /^Table 2: exodm:[a-z-]*package[a-z-]* as /.test(r.name)) &&
        r.suite !== 'packages',
    )
    .map((r) => `${r.suite} ${r.name}: ${r.reason}`);
}

/** The failed checks, each with its reason. */
export function failures(results: readonly CheckResult[]): string[] {
  return results.filter((r) => r.status === 'failed').map((r) => `${r.suite} ${r.name}: ${r.reason}`);
}
