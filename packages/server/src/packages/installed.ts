import type { ServerContext } from '../context.ts';
import { Outcome, ResultCode } from '../result-code.ts';
import type { Device } from '../store/devices.ts';
import { devicePackages } from './device-store.ts';
import { packagesUsingModule } from './module-data.ts';
import { type PlanTarget, resolveTarget } from './plan.ts';
import { packageStatus } from './views.ts';

/** A device of a target without the package, and where the package stands there. */
export interface WithoutPackage {
  readonly deviceId: string;
  /** `not-installed`, `pending-install`, `transferring`, `install-failed`, `uninstalled`… */
  readonly status: string;
}

/**
 * A request for devices that do not have the package installed
 * (docs/decisions/server-packages-targets.md): `validation-failed` with a
 * `package-not-installed:` reason, and `devices` naming each device of the
 * target without it and its package-status there. Nothing was queued.
 */
export class PackageNotInstalled extends Outcome {
  readonly devices: readonly WithoutPackage[];

  constructor(what: string, packages: readonly string[], devices: readonly WithoutPackage[]) {
    const names = devices.map((d) => d.deviceId).join(', ');
    super(
      ResultCode.ValidationFailed,
      `package-not-installed: ${what} needs ${packages.join(' or ')} installed, which ${names} ${devices.length === 1 ? 'does' : 'do'} not have`,
    );
    this.devices = devices;
  }

  override toResult(): { readonly result: ResultCode; readonly reason: string; readonly devices: unknown[] } {
    return {
      ...super.toResult(),
      devices: this.devices.map((d) => ({ 'device-id': d.deviceId, 'package-status': d.status })),
    };
  }
}

function devicesOf(target: PlanTarget): readonly Device[] {
  return target.kind === 'device' ? [target.device] : target.members;
}

/**
 * The devices of a target (a device, or every member of a group) that do
 * not have one of `packages` in their installed set — the set a device's
 * confirmation changes (manual §6.3) — with each one's status of the first.
 */
export async function withoutPackage(
  server: ServerContext,
  account: string,
  target: PlanTarget,
  packages: readonly string[],
): Promise<WithoutPackage[]> {
  const without: WithoutPackage[] = [];
  for (const device of devicesOf(target)) {
    const rows = new Map((await devicePackages(server.db, account, device)).map((row) => [row.package, row]));
    if (packages.some((name) => rows.get(name)?.installed === true)) continue;
    without.push({ deviceId: device.deviceId, status: packageStatus(rows.get(packages[0]!)) });
  }
  return without;
}

/**
 * Refuses a device RPC `<module>:<rpc>` of a package's module for a device,
 * or a group any member of which, that does not have the package installed
 * (manual §5.3, §8.5: a package's RPCs run on the devices that have it). A
 * module no package of the account names is not checked.
 */
export async function requirePackageForRpc(
  server: ServerContext,
  account: string,
  request: { readonly method: string; readonly module: string; readonly target: string },
): Promise<void> {
  const packages = await packagesUsingModule(server.db, account, request.module);
  if (packages.length === 0) return;
  const target = await resolveTarget(server, account, request.target);
  const without = await withoutPackage(server, account, target, packages);
  if (without.length > 0) throw new PackageNotInstalled(request.method, packages, without);
}
