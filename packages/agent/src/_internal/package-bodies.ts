import type { InstalledPackage } from '../packages.ts';
import type { PackageReport } from '../transport.ts';

/** The fields of a package's status report as both transports send them; a message is cut to 1,024 characters. */
export function reportFields(report: PackageReport): {
  'package-status': string;
  version?: string;
  reboot?: boolean;
  message?: string;
} {
  return {
    'package-status': report.status,
    ...(report.version === undefined ? {} : { version: report.version }),
    ...(report.reboot === undefined ? {} : { reboot: report.reboot }),
    ...(report.message === undefined ? {} : { message: report.message.slice(0, 1024) }),
  };
}

/** The installed packages as both transports list them in an inventory. */
export function inventoryEntries(packages: readonly InstalledPackage[]): { name: string; version: string }[] {
  return packages.map((entry) => ({ name: entry.name, version: entry.version }));
}
