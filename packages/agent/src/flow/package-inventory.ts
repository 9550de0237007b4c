import type { InstalledPackage } from '../packages.ts';
import type { AgentState, PackageProgress } from '../store.ts';
import type { PackageState } from '../transport.ts';
import { type Flow, messageOf, untilAborted } from './flow.ts';
import { deliverPackage } from './package-calls.ts';

/** A change to the agent's record of installed packages: `version` undefined removes the package. */
export interface RecordChange {
  readonly name: string;
  readonly version?: string;
  /** An upgrade's old package, which goes. */
  readonly from?: string;
  /** The installed manifest's sequence (anti-rollback number). */
  readonly sequence?: number;
}

/** The state with the record of installed packages (versions and sequences) changed. */
export function recorded(state: AgentState, change: RecordChange): AgentState {
  const packages: Record<string, string> = { ...state.packages };
  const sequences: Record<string, number> = { ...state.packageSequences };
  if (change.from !== undefined) {
    delete packages[change.from];
    delete sequences[change.from];
  }
  if (change.version === undefined) {
    delete packages[change.name];
    delete sequences[change.name];
  } else {
    packages[change.name] = change.version;
    if (change.sequence !== undefined) sequences[change.name] = change.sequence;
  }
  const { packageSequences: _replaced, ...rest } = state;
  return { ...rest, packages, ...(Object.keys(sequences).length === 0 ? {} : { packageSequences: sequences }) };
}

/** What the device runs: the device code's inventory, else the agent's record. */
export async function inventoryOf(flow: Flow): Promise<readonly InstalledPackage[]> {
  const inventory = flow.handlers.inventory;
  if (inventory !== undefined) return untilAborted(Promise.resolve().then(inventory), flow.signal);
  return Object.entries(flow.state.packages ?? {}).map(([name, version]) => ({ name, version }));
}

function runs(packages: readonly InstalledPackage[], progress: PackageProgress): boolean {
  return packages.some((entry) => entry.name === progress.name && entry.version === progress.version);
}

/**
 * After the restart an install needed (docs/server.md, Packages, State and
 * confirmation): tell the server what the device runs, which confirms the
 * install or fails it. Without an inventory of the device code, the
 * agent's record takes the install as running now: the installer said a
 * restart was all it needed. True when the server's answer shows the
 * operation settled (confirmed, or failed).
 */
export async function reportInventory(flow: Flow, progress: PackageProgress): Promise<boolean> {
  if (flow.handlers.inventory === undefined) await flow.save(recorded(flow.state, progress));
  let packages: readonly InstalledPackage[];
  try {
    packages = await inventoryOf(flow);
  } catch (error) {
    if (flow.signal.aborted) throw flow.signal.reason;
    flow.logger.warn('package inventory failed; the install is reported from it later', { error: messageOf(error) });
    return false;
  }
  // device code's inventory shows the install running: the agent's record takes it in (its sequence with it)
  if (flow.handlers.inventory !== undefined && runs(packages, progress)) {
    await flow.save(recorded(flow.state, progress));
  }
  let view: readonly PackageState[] = [];
  const taken = await deliverPackage(flow, 'package-inventory', async (channel, signal) => {
    view = await channel.inventory(packages, signal);
  });
  if (!taken) return false;
  flow.emit({ type: 'package-inventory', packages });
  const state = view.find((entry) => entry.name === progress.name);
  return state !== undefined && (state.confirmed || state.status.endsWith('-failed'));
}
