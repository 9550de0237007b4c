import type { Random } from '@fleetkit/core';
import { AgentError, AgentErrorCode } from '../errors.ts';
import type { Interval } from '../timing.ts';

/** What a simulated device does (scripted, for load and conformance tests). */
export type Behaviour = 'steady' | 'slow' | 'flaky' | 'rebooting' | 'failing' | 'offline';

/** Every behaviour, in a fixed order. */
export const BEHAVIOURS: readonly Behaviour[] = ['steady', 'slow', 'flaky', 'rebooting', 'failing', 'offline'];

/** The knobs of the scripted behaviours. */
export interface BehaviourScript {
  /** `slow`: how long each command, configuration and licence takes. Default 5 000 ms. */
  readonly slowMs: number;
  /** `flaky`: the share of calls that fail as a network error would. Default 0.2. */
  readonly flakyRate: number;
  /** `rebooting`: how long the device is down after a command resets it. Default 10 000 ms. */
  readonly rebootMs: number;
  /** `offline`: how long the device stays online between outages. Default 1–5 min. */
  readonly onlineFor: Interval;
  /** `offline`: how long an outage lasts. Default 30 s–3 min. */
  readonly offlineFor: Interval;
}

export const DEFAULT_SCRIPT: BehaviourScript = {
  slowMs: 5_000,
  flakyRate: 0.2,
  rebootMs: 10_000,
  onlineFor: { minMs: 60_000, maxMs: 300_000 },
  offlineFor: { minMs: 30_000, maxMs: 180_000 },
};

/** The message of every failure a `failing` device reports. */
export const SIMULATED_FAILURE = 'simulated failure';

/** Picks behaviours by weight: `{steady: 8, flaky: 2}` makes about one device in five flaky. */
export function behaviourPicker(
  weights: Partial<Record<Behaviour, number>> | undefined,
  random: Random,
): () => Behaviour {
  const entries = BEHAVIOURS.map((behaviour) => [behaviour, weights?.[behaviour] ?? 0] as const).filter(
    ([, weight]) => weight > 0,
  );
  for (const [behaviour, weight] of Object.entries(weights ?? {})) {
    if (!BEHAVIOURS.includes(behaviour as Behaviour) || !(Number.isFinite(weight) && weight >= 0)) {
      throw new AgentError(
        AgentErrorCode.InvalidOption,
        `Cannot use behaviour weight ${behaviour}: ${String(weight)}`,
        {
          details: {
            path: `behaviours.${behaviour}`,
            expected: `one of ${BEHAVIOURS.join(', ')} with a weight ≥ 0`,
            got: weight,
          },
        },
      );
    }
  }
  if (entries.length === 0) return () => 'steady';
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  return () => {
    let left = random.float() * total;
    for (const [behaviour, weight] of entries) {
      left -= weight;
      if (left < 0) return behaviour;
    }
    return entries[entries.length - 1]![0];
  };
}
