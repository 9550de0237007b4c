import type { CheckContext } from './context.ts';

/** One step of the lifecycle, named as a behaviour. */
export interface Check {
  readonly name: string;
  run(ctx: CheckContext): Promise<void>;
}
