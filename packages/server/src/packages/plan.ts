import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { findTarget } from '../store/config.ts';
import { type DeviceType, findDeviceType } from '../store/device-types.ts';
import { type Device, findDevice } from '../store/devices.ts';
import { findGroup, groupMembers } from '../store/groups.ts';
import type { PackageRecord } from '../store/packages.ts';
import { forgetEarlierDevice, type Operation } from './device-store.ts';
import { checkAllowed, checkInstallValues, checkTransfer, packageOr404, withDependencies } from './plan-checks.ts';
import { dependentsOf, missingDependencies, refuseBusy, statesOf, unusedAfter } from './plan-states.ts';

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

/**
 * An install's or upgrade's steps: the dependencies the target lacks
 * (refused without `recursive-dependency-resolve`), then the named
 * operation with its install values.
 */
function afterMissing(
  target: PlanTarget,
  missing: readonly PackageRecord[],
  request: { readonly recursive: boolean; readonly values: Values | undefined },
  last: { readonly operation: Operation; readonly package: PackageRecord; readonly from?: PackageRecord },
): TargetPlan {
  if (missing.length > 0 && !request.recursive) {
    fail(
      ResultCode.ValidationFailed,
      `dependency-failure: ${last.package.name} needs ${missing.map((m) => m.name).join(', ')}, not installed on ${target.id}; set recursive-dependency-resolve`,
    );
  }
  const steps: Step[] = missing.map((dependency) => ({ operation: 'install', package: dependency, explicit: false }));
  steps.push({ ...last, explicit: true, ...(request.values === undefined ? {} : { values: request.values }) });
  return { target, steps };
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
  return afterMissing(target, missing, request, { operation: 'install', package: record });
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
  return afterMissing(target, missing, request, { operation: 'upgrade', package: to, from });
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
