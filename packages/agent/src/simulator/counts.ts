import type { AgentEvent } from '../events.ts';

/** What the fleet did so far, summed over its devices. */
export interface FleetCounts {
  registered: number;
  telemetry: number;
  commandsDone: number;
  commandsFailed: number;
  configs: number;
  licences: number;
  /** Package operations reported done (installed, upgraded, uninstalled, transmitted). */
  packages: number;
  /** Package operations reported failed. */
  packagesFailed: number;
  reboots: number;
  backoffs: number;
  authLost: number;
}

/** Counts of a fleet that did nothing yet. */
export function emptyCounts(): FleetCounts {
  return {
    registered: 0,
    telemetry: 0,
    commandsDone: 0,
    commandsFailed: 0,
    configs: 0,
    licences: 0,
    packages: 0,
    packagesFailed: 0,
    reboots: 0,
    backoffs: 0,
    authLost: 0,
  };
}

/** Adds what an event says a device did. */
export function countEvent(counts: FleetCounts, event: AgentEvent): void {
  switch (event.type) {
    case 'registered':
      counts.registered++;
      break;
    case 'telemetry':
      counts.telemetry++;
      break;
    case 'command':
      if (event.status === 'done') counts.commandsDone++;
      else if (event.status === 'failed') counts.commandsFailed++;
      break;
    case 'config':
      counts.configs++;
      break;
    case 'license':
      counts.licences++;
      break;
    case 'package':
      if (event.status === 'transferring') break;
      if (event.status.endsWith('-failed') || event.status === 'unsupported-package') counts.packagesFailed++;
      else counts.packages++;
      break;
    case 'backoff':
      counts.backoffs++;
      break;
    case 'auth-lost':
      counts.authLost++;
      break;
  }
}
