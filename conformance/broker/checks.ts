import type { Check } from './check.ts';
import { controlChecks } from './control-checks.ts';
import { deviceChecks } from './device-checks.ts';
import { lifecycleChecks } from './lifecycle-checks.ts';
import { relayChecks } from './relay-checks.ts';

export type { Check } from './check.ts';

/** Every check, in the order of 002's connection lifecycle; shutdown last, as it ends the broker. */
export const checks: readonly Check[] = [...deviceChecks, ...relayChecks, ...controlChecks, ...lifecycleChecks];
