import type { CheckResult } from '../runner/check.ts';

/**
 * What a run against our server may skip, and why: the package rows of
 * Table 2 (the server has no package methods yet, so the allowed cells meet
 * -32601; the refused cells are still decided) and the suites not written
 * yet. Anything else skipped fails the test, so a skip cannot hide a gap.
 */
export function unexpectedSkips(results: readonly CheckResult[]): string[] {
  return results
    .filter((r) => r.status === 'skipped')
    .filter(
      (r) =>
        !(r.suite === 'rbac-matrix' && /^Table 2: exodm:[a-z-]*package[a-z-]* as /.test(r.name)) &&
        !['packages', 'agent-flow'].includes(r.suite),
    )
    .map((r) => `${r.suite} ${r.name}: ${r.reason}`);
}

/** The failed checks, each with its reason. */
export function failures(results: readonly CheckResult[]): string[] {
  return results.filter((r) => r.status === 'failed').map((r) => `${r.suite} ${r.name}: ${r.reason}`);
}
