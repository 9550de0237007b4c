import { checkValues } from '../api/config-data.ts';
import type { ServerContext } from '../context.ts';
import { modulesOf } from '../modules.ts';
import { fail, ResultCode } from '../result-code.ts';
import { findTarget } from '../store/config.ts';
import { canonicalProtocol, type DeviceType, findDeviceType } from '../store/device-types.ts';
import { type Device, findDevice } from '../store/devices.ts';
import { findGroup, groupMembers } from '../store/groups.ts';
import { typeAllowance } from '../store/package-targets.ts';
import { findPackage, type PackageRecord } from '../store/packages.ts';
import { type DevicePackage, devicePackages, forgetEarlierDevice, type Operation } from './device-store.ts';
import { dependencyOrder, describeProblem } from './graph.ts';

/** A device or group an operation is for, with what the plan needs of it. */
export type PlanTarget =
  | { readonly kind: 'device'; readonly id: string; readonly device: Device; readonly type: DeviceType | undefined }
  | {
      readonly kind: 'group';
      readonly id: string;
      readonly members: readonly Device[];
      readonly type: DeviceType | undefined;
    };

/** One transaction of a plan: an operation of one package. */
export interface Step {
  readonly operation: Operation;
  readonly package: PackageRecord;
  /** The package an upgrade replaces. */
  readonly from?: PackageRecord;
  /** Named by the request, not only pulled in as a dependency. */
  readonly explicit: boolean;
  /** Configuration values the install creates for the package's module (manual §5.6 item 2). */
  readonly values?: Record<string, unknown>;
}

/** What a request queues for one target, in order. */
export interface TargetPlan {
  readonly target: PlanTarget;
  readonly steps: readonly Step[];
}

type Values = Record<string, unknown>;

/** The device or group an id names, with its members and device type; `device-not-found` for neither. */
export async function resolveTarget(server: ServerContext, account: string, id: string): Promise<PlanTarget> {
  const { db } = server;
  const kind = await findTarget(db, account, id);
  if (kind === 'device') {
    const device = (await findDevice(db, account, id))!;
    await forgetEarlierDevice(db, account, device);
    return { kind, id, device, type: await findDeviceType(db, account, device.deviceType) };
  }
  if (kind === 'group') {
    const group = (await findGroup(db, account, id))!;
    const members: Device[] = [];
    for (const member of await groupMembers(db, account, id)) {
      const device = await findDevice(db, account, member);
      if (device === undefined) continue;
      await forgetEarlierDevice(db, account, device);
      members.push(device);
    }
    const type = group.deviceType === undefined ? undefined : await findDeviceType(db, account, group.deviceType);
    return { kind, id, members, type };
  }
  return fail(ResultCode.DeviceNotFound, `${id} names no device or group`);
}

function devicesOf(target: PlanTarget): readonly Device[] {
  return target.kind === 'device' ? [target.device] : target.members;
}

async function packageOr404(server: ServerContext, account: string, name: string): Promise<PackageRecord> {
  return (
    (await findPackage(server.db, account, name)) ?? fail(ResultCode.ObjectNotFound, `package ${name} does not exist`)
  );
}

/** A package and everything it needs, dependencies first; a cycle or a missing dependency refused. */
async function withDependencies(server: ServerContext, account: string, root: PackageRecord): Promise<PackageRecord[]> {
  const found = new Map<string, PackageRecord>([[root.name, root]]);
  const walk = await dependencyOrder(root.name, async (name) => {
    const record = found.get(name) ?? (await findPackage(server.db, account, name));
    if (record !== undefined) found.set(name, record);
    return record;
  });
  if ('problem' in walk) {
    fail(
      walk.problem.kind === 'cycle' ? ResultCode.ValidationFailed : ResultCode.ObjectNotFound,
      describeProblem(walk.problem),
    );
  }
  return walk.order.map((name) => found.get(name)!);
}

/** A device type whose plugin has no package transfer (docs/server.md §Packages, Transfer (plugin `exoport-http`)). */
function withoutTransfer(type: DeviceType | undefined): boolean {
  return type !== undefined && canonicalProtocol(type.protocol) === 'exoport-http';
}

/**
 * Refuses, before anything is queued, a package operation on a device whose
 * device type uses `exoport-http`, or on a group with such members (each
 * named): the device could never fetch the image
 * (docs/decisions/server-packages.md). An empty group has no device type
 * and is not refused: an exoport device that joins it later gets the
 * transaction it cannot carry out, and it times out.
 */
export async function checkTransfer(server: ServerContext, account: string, target: PlanTarget): Promise<void> {
  const reason = (whose: string, types: readonly string[]) =>
    `unsupported-package: ${whose} device type ${types.join(', ')} uses exoport-http, which has no package transfer`;
  if (target.kind === 'device') {
    if (withoutTransfer(target.type)) fail(ResultCode.ValidationFailed, reason(`${target.id}'s`, [target.type!.name]));
    return;
  }
  const types = new Map<string, DeviceType | undefined>();
  if (target.type !== undefined) types.set(target.type.name, target.type);
  const refused: Device[] = [];
  for (const member of target.members) {
    if (!types.has(member.deviceType)) {
      types.set(member.deviceType, await findDeviceType(server.db, account, member.deviceType));
    }
    if (withoutTransfer(types.get(member.deviceType))) refused.push(member);
  }
  if (refused.length === 0) return;
  const names = refused.map((member) => member.deviceId).join(', ');
  const whose = `${names} of group ${target.id}: ${refused.length === 1 ? 'its' : 'their'}`;
  fail(ResultCode.ValidationFailed, reason(whose, [...new Set(refused.map((member) => member.deviceType))]));
}

/** Refuses, before anything is queued, a package the target's device type does not allow (manual §5.5 item 4). */
async function checkAllowed(
  server: ServerContext,
  account: string,
  target: PlanTarget,
  packages: readonly PackageRecord[],
) {
  // an empty group has no type yet: a device joining later is checked when it fetches the image
  if (target.kind === 'group' && target.members.length === 0) return;
  const type = target.type ?? fail(ResultCode.ValidationFailed, `${target.id} has no device type`);
  for (const record of packages) {
    const allowed = await typeAllowance(server.db, account, {
      type: type.name,
      typeCreated: type.createdAt,
      package: record.name,
    });
    if (allowed === undefined) {
      fail(
        ResultCode.ValidationFailed,
        `unsupported-package: package ${record.name} is not allowed on device type ${type.name}`,
      );
    }
  }
}

/** Checks install values against the package's module configuration (as update-config-data does). */
async function checkInstallValues(
  server: ServerContext,
  account: string,
  record: PackageRecord,
  values: Values | undefined,
) {
  if (values === undefined) return;
  if (record.module === undefined)
    fail(ResultCode.ValidationFailed, `values: package ${record.name} has no yang-specification`);
  const compiled =
    (await modulesOf(server).compiled(account, record.module)) ??
    fail(ResultCode.ObjectNotFound, `yang module ${record.module} of package ${record.name} does not exist`);
  await checkValues(compiled, values);
}

/** Each device's package rows, by package name. */
async function statesOf(server: ServerContext, account: string, target: PlanTarget) {
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
function missingDependencies(chain: readonly PackageRecord[], states: Map<string, Map<string, DevicePackage>>) {
  return chain
    .slice(0, -1)
    .filter((record) => [...states.values()].some((rows) => !installedOrComing(rows.get(record.name))));
}

function refuseBusy(target: PlanTarget, states: Map<string, Map<string, DevicePackage>>, names: readonly string[]) {
  for (const [device, rows] of states) {
    for (const name of names) {
      if (busy(rows.get(name)))
        fail(ResultCode.ObjectExists, `an operation of package ${name} is under way on ${device}`);
    }
  }
  return target;
}

/**
 * install-package for one target (manual §5.6 item 3, §6.4): the package
 * after its missing dependencies, in order. Without
 * `recursive-dependency-resolve` a missing dependency is refused; a cycle,
 * a missing package or one the device type does not allow is refused
 * before anything is queued. On a device the package must not be installed
 * already; in a group, members that have it complete at once.
 */
export async function planInstall(
  server: ServerContext,
  account: string,
  target: PlanTarget,
  request: { readonly package: string; readonly recursive: boolean; readonly values: Values | undefined },
): Promise<TargetPlan> {
  const record = await packageOr404(server, account, request.package);
  await checkTransfer(server, account, target);
  const chain = await withDependencies(server, account, record);
  await checkAllowed(server, account, target, chain);
  await checkInstallValues(server, account, record, request.values);
  const states = await statesOf(server, account, target);
  refuseBusy(target, states, [record.name]);
  if (target.kind === 'device' && states.get(target.id)?.get(record.name)?.installed === true) {
    fail(ResultCode.ObjectExists, `package ${record.name} is installed on ${target.id}`);
  }
  const missing = missingDependencies(chain, states);
  if (missing.length > 0 && !request.recursive) {
    fail(
      ResultCode.ValidationFailed,
      `dependency-failure: ${record.name} needs ${missing.map((m) => m.name).join(', ')}, not installed on ${target.id}; set recursive-dependency-resolve`,
    );
  }
  const steps: Step[] = missing.map((dependency) => ({ operation: 'install', package: dependency, explicit: false }));
  steps.push({
    operation: 'install',
    package: record,
    explicit: true,
    ...(request.values === undefined ? {} : { values: request.values }),
  });
  return { target, steps };
}

/**
 * The installed packages of a device's rows that need `name`, directly or
 * through others, in the order they can go: a package before the ones it needs.
 */
async function dependentsOf(server: ServerContext, account: string, rows: Map<string, DevicePackage>, name: string) {
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

/**
 * upgrade-package for one target: `to` must name `from` among its
 * upgrade-from packages and be allowed on the type; on a device `from` must
 * be installed, `to` not, and no other installed package may depend on
 * `from` (it goes). Missing dependencies of `to` come first, as for install.
 */
export async function planUpgrade(
  server: ServerContext,
  account: string,
  target: PlanTarget,
  request: {
    readonly from: string;
    readonly to: string;
    readonly recursive: boolean;
    readonly values: Values | undefined;
  },
): Promise<TargetPlan> {
  const from = await packageOr404(server, account, request.from);
  const to = await packageOr404(server, account, request.to);
  if (!to.upgradeFrom.includes(from.name)) {
    fail(ResultCode.ValidationFailed, `package ${to.name} does not upgrade ${from.name} (upgrade-from-packages)`);
  }
  await checkTransfer(server, account, target);
  const chain = await withDependencies(server, account, to);
  await checkAllowed(server, account, target, chain);
  await checkInstallValues(server, account, to, request.values);
  const states = await statesOf(server, account, target);
  refuseBusy(target, states, [from.name, to.name]);
  for (const [device, rows] of states) {
    if (target.kind === 'device' && rows.get(from.name)?.installed !== true) {
      fail(ResultCode.ValidationFailed, `package ${from.name} is not installed on ${device}`);
    }
    if (target.kind === 'device' && rows.get(to.name)?.installed === true) {
      fail(ResultCode.ObjectExists, `package ${to.name} is installed on ${device}`);
    }
    const dependents = (await dependentsOf(server, account, rows, from.name)).filter((d) => d.name !== to.name);
    if (dependents.length > 0) {
      fail(
        ResultCode.ObjectNotEmpty,
        `${dependents.map((d) => d.name).join(', ')} on ${device} depend on ${from.name}`,
      );
    }
  }
  const missing = missingDependencies(chain, states).filter((m) => m.name !== from.name);
  if (missing.length > 0 && !request.recursive) {
    fail(
      ResultCode.ValidationFailed,
      `dependency-failure: ${to.name} needs ${missing.map((m) => m.name).join(', ')}, not installed on ${target.id}; set recursive-dependency-resolve`,
    );
  }
  const steps: Step[] = missing.map((dependency) => ({ operation: 'install', package: dependency, explicit: false }));
  steps.push({
    operation: 'upgrade',
    package: to,
    from,
    explicit: true,
    ...(request.values === undefined ? {} : { values: request.values }),
  });
  return { target, steps };
}

/**
 * uninstall-package for one target: refused while another installed
 * package depends on it, unless `recursive` (those are uninstalled first,
 * dependents of dependents before them). With `removeUnused`, a device's
 * dependencies that came in only as dependencies and that nothing left
 * needs go after it.
 */
export async function planUninstall(
  server: ServerContext,
  account: string,
  target: PlanTarget,
  request: { readonly package: string; readonly recursive: boolean; readonly removeUnused: boolean },
): Promise<TargetPlan> {
  const record = await packageOr404(server, account, request.package);
  await checkTransfer(server, account, target);
  const states = await statesOf(server, account, target);
  const going = new Map<string, PackageRecord>();
  for (const [device, rows] of states) {
    if (target.kind === 'device' && rows.get(record.name)?.installed !== true) {
      fail(ResultCode.ObjectNotFound, `package ${record.name} is not installed on ${device}`);
    }
    const dependents = await dependentsOf(server, account, rows, record.name);
    if (dependents.length > 0 && !request.recursive) {
      fail(
        ResultCode.ObjectNotEmpty,
        `${dependents.map((d) => d.name).join(', ')} on ${device} depend on ${record.name}; uninstall with recursive to remove them too`,
      );
    }
    for (const dependent of dependents) going.set(dependent.name, dependent);
  }
  const steps: Step[] = [...going.values()].map((dependent) => ({
    operation: 'uninstall',
    package: dependent,
    explicit: false,
  }));
  steps.push({ operation: 'uninstall', package: record, explicit: true });
  if (request.removeUnused && target.kind === 'device') {
    steps.push(...(await unusedAfter(server, account, states.get(target.id)!, steps)));
  }
  refuseBusy(
    target,
    states,
    steps.map((step) => step.package.name),
  );
  return { target, steps };
}

/** Dependencies installed only as dependencies that nothing still installed needs once `steps` ran. */
async function unusedAfter(
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

/** 1.x push-package `transmit`: the image goes to the device, which stores it without installing. */
export async function planTransmit(
  server: ServerContext,
  account: string,
  target: PlanTarget,
  name: string,
): Promise<TargetPlan> {
  const record = await packageOr404(server, account, name);
  await checkTransfer(server, account, target);
  await checkAllowed(server, account, target, [record]);
  refuseBusy(target, await statesOf(server, account, target), [record.name]);
  return { target, steps: [{ operation: 'transmit', package: record, explicit: false }] };
}
