import type { Plan } from './check.ts';
import type { Env } from './env.ts';

/** A suite: the checks replaying one documented sequence or table. */
export interface Suite {
  /** The `--suite` name. */
  readonly name: string;
  /** What it replays, with the document section. */
  readonly title: string;
  /**
   * Creates the suite's fixtures on the server and returns its checks. A
   * thrown `Skip` reports the suite skipped with the reason; any other error
   * fails the suite's set-up.
   */
  plan(env: Env): Promise<Plan>;
}
