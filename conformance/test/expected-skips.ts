import type { CheckResult } from '../runner/check.ts';

/**
 * The checks a run against our server skipped. Our server has every part
 * the suites cover (packages included), so any skip is a gap: a test fails
 * on it instead of letting the skip hide it.
 */
export function unexpectedSkips(results: readonly CheckResult[]): string[] {
  return results.filter((r) => r.status === 'skipped').map((r) => `${r.suite} ${r.name}: ${r.reason}`);
}

/** The failed checks, each with its reason. */
export function failures(results: readonly CheckResult[]): string[] {
  return results.filter((r) => r.status === 'failed').map((r) => `${r.suite} ${r.name}: ${r.reason}`);
}
