import { checkValues } from '../api/config-data.ts';
import type { ServerContext } from '../context.ts';
import { modulesOf } from '../modules.ts';
import { fail, ResultCode } from '../result-code.ts';
import { canonicalProtocol, type DeviceType, findDeviceType } from '../store/device-types.ts';
import type { Device } from '../store/devices.ts';
import { typeAllowance } from '../store/package-targets.ts';
import { findPackage, type PackageRecord } from '../store/packages.ts';
import { dependencyOrder, describeProblem } from './graph.ts';
import type { PlanTarget } from './plan.ts';

type Values = Record<string, unknown>;

export async function packageOr404(server: ServerContext, account: string, name: string): Promise<PackageRecord> {
  return (
    (await findPackage(server.db, account, name)) ?? fail(ResultCode.ObjectNotFound, `package ${name} does not exist`)
  );
}

/** A package and everything it needs, dependencies first; a cycle or a missing dependency refused. */
export async function withDependencies(
  server: ServerContext,
  account: string,
  root: PackageRecord,
): Promise<PackageRecord[]> {
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
export async function checkAllowed(
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
export async function checkInstallValues(
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
