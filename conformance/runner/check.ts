/** How a check ended. */
export type Status = 'passed' | 'failed' | 'skipped';

/** One check of a suite: a step of a documented sequence, named after it. */
export interface Check {
  readonly name: string;
  run(): Promise<void>;
}

/** What a suite plans to run once its fixtures exist. */
export interface Plan {
  readonly checks: readonly Check[];
  /** Runs after the last check, failed or not: deletes what the suite created on the server. */
  readonly dispose?: () => Promise<void>;
}

/** The outcome of one check. */
export interface CheckResult {
  readonly suite: string;
  readonly index: number;
  readonly name: string;
  readonly status: Status;
  readonly ms: number;
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

/** A failed expectation: what was expected and what the server did. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

/** Thrown by a check (or a suite's plan) that cannot run against this server: reported as skipped. */
export class Skip extends Error {
  override readonly name = 'Skip';
}

/** `value`, or a failure naming what an earlier step should have produced. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CheckFailure(`needs ${what}, which an earlier step did not produce`);
  return value;
}
