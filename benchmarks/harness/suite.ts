import type { MachineCheck } from './machine-check.ts';

/** A function a benchmark calls repeatedly; one call is one operation. */
export type BenchFn = () => unknown;

/** A case tinybench times: our function beside the peer's, same run. */
export interface TimedCase {
  readonly name: string;
  readonly ours: BenchFn;
  readonly peer: string;
  readonly peerFn: BenchFn;
  /** The ratio ours/peer this case must reach (from the issue), if any. */
  readonly goal?: number;
}

/**
 * What a row's right-hand side is, when it is not another library a user
 * could pick: `goal` marks a constant taken from the issue (a rate we
 * promised), which the table must not present as a peer.
 */
export type Reference = 'goal';

/** A case that measures throughput itself (whole processes, many in flight). */
export interface MeasuredCase {
  readonly name: string;
  readonly peer: string;
  readonly measure: () => Promise<{ readonly ours_hz: number; readonly peer_hz: number }>;
  readonly goal?: number;
  /** Set when `peer` is not a peer (see {@link Reference}). */
  readonly reference?: Reference;
}

export type BenchCase = TimedCase | MeasuredCase;

/** A benchmark suite: `benchmarks/<name>/bench.ts` exports one as default. */
export interface Suite {
  readonly name: string;
  /** What is measured, one line, printed above the table. */
  readonly description: string;
  /**
   * Prepares services and data. Resolving to a string means the suite cannot
   * run here (a peer's service is missing): the reason is printed and the
   * other suites go on.
   */
  readonly setup?: () => Promise<string | undefined>;
  readonly cases: () => readonly BenchCase[] | Promise<readonly BenchCase[]>;
  readonly teardown?: () => Promise<void>;
}

/** Identity helper that types a suite definition. */
export function defineSuite(suite: Suite): Suite {
  return suite;
}

/** One row of `benchmarks/results/<suite>.json`. */
export interface CaseResult {
  readonly name: string;
  readonly ours_hz: number;
  readonly peer: string;
  readonly peer_hz: number;
  readonly ratio: number;
  readonly goal?: number;
  /** Set when `peer` names a goal constant, not a peer; absent in older files. */
  readonly reference?: Reference;
}

/** The file `npm run bench -- <suite>` writes. */
export interface SuiteResult {
  readonly suite: string;
  readonly node: string;
  readonly date: string;
  readonly command: string;
  readonly description: string;
  /** The machine check before the suite (harness/machine-check.ts); absent in older files. */
  readonly machine?: MachineCheck;
  readonly cases: readonly CaseResult[];
}

/** Operations per second from a count and a `performance.now()` span. */
export function hz(operations: number, startMs: number, endMs: number): number {
  return (operations * 1000) / (endMs - startMs);
}
