import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import type { Device } from '../store/devices.ts';
import { findPackage, type PackageRecord } from '../store/packages.ts';
import { type DevicePackage, devicePackages } from './device-store.ts';
import { dependencyOrder } from './graph.ts';
import type { PlanTarget, Step } from './plan.ts';

function devicesOf(target: PlanTarget): readonly Device[] {
  return target.kind === 'device' ? [target.device] : target.members;
}

/** Each device's package rows, by package name. */
export async function statesOf(server: ServerContext, account: string, target: PlanTarget) {
  const states = new Map<string, Map<string, DevicePackage>>();
  for (const device of devicesOf(target)) {
    const rows = await devicePackages(server.db, account, device);
    states.set(device.deviceId, new Map(rows.map((row) => [row.package, row])));
  }
  return states;
}

function busy(row: DevicePackage | undefined): boolean {
  return row?.opTx !== undefined;
}

function installedOrComing(row: DevicePackage | undefined): boolean {
  return (
    row !== undefined && (row.installed || (busy(row) && (row.operation === 'install' || row.operation === 'upgrade')))
  );
}

/** The dependencies of `chain` (deps first, the package last) that some device of the target lacks. */
export function missingDependencies(chain: readonly PackageRecord[], states: Map<string, Map<string, DevicePackage>>) {
  return chain
    .slice(0, -1)
    .filter((record) => [...states.values()].some((rows) => !installedOrComing(rows.get(record.name))));
}

export function refuseBusy(
  target: PlanTarget,
  states: Map<string, Map<string, DevicePackage>>,
  names: readonly string[],
) {
  for (const [device, rows] of states) {
    for (const name of names) {
      if (busy(rows.get(name)))
        fail(ResultCode.ObjectExists, `an operation of package ${name} is under way on ${device}`);
    }
  }
  return target;
}

/**
 * The installed packages of a device's rows that need `name`, directly or
 * through others, in the order they can go: a package before the ones it needs.
 */
export async function dependentsOf(
  server: ServerContext,
  account: string,
  rows: Map<string, DevicePackage>,
  name: string,
) {
  const lookup = async (next: string) =>
    (await findPackage(server.db, account, next)) ?? { name: next, prerequisites: [] };
  const needing = new Map<string, PackageRecord>();
  const depsFirst: string[] = [];
  for (const row of rows.values()) {
    if (!row.installed || row.package === name) continue;
    const record = await findPackage(server.db, account, row.package);
    if (record === undefined) continue;
    const walk = await dependencyOrder(record.name, lookup);
    if (!('order' in walk)) continue;
    if (walk.order.includes(name)) needing.set(record.name, record);
    for (const step of walk.order) if (!depsFirst.includes(step)) depsFirst.push(step);
  }
  return depsFirst
    .filter((step) => needing.has(step))
    .reverse()
    .map((step) => needing.get(step)!);
}

/** Dependencies installed only as dependencies that nothing still installed needs once `steps` ran. */
export async function unusedAfter(
  server: ServerContext,
  account: string,
  rows: Map<string, DevicePackage>,
  steps: readonly Step[],
): Promise<Step[]> {
  const removed = new Set(steps.map((step) => step.package.name));
  const unused: Step[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    const needed = new Set<string>();
    for (const row of rows.values()) {
      if (!row.installed || removed.has(row.package)) continue;
      for (const name of (await findPackage(server.db, account, row.package))?.prerequisites ?? []) needed.add(name);
    }
    for (const row of rows.values()) {
      if (!row.installed || row.explicit || removed.has(row.package) || needed.has(row.package)) continue;
      const record = await findPackage(server.db, account, row.package);
      if (record === undefined) continue;
      removed.add(record.name);
      unused.push({ operation: 'uninstall', package: record, explicit: false });
      changed = true;
    }
  }
  return unused;
}
