import type { PackageRecord } from '../store/packages.ts';
import type { DevicePackage } from './device-store.ts';
import { rolloutState } from './rollout.ts';
import type { Rollout } from './rollout-store.ts';

/** A package as list-packages and create-package answer it. */
export function packageObject(record: PackageRecord): Record<string, unknown> {
  return {
    'package-name': record.name,
    version: record.version,
    sequence: record.sequence,
    size: record.size,
    'chunk-size': record.chunkSize,
    chunks: record.chunks,
    root: record.root,
    'prerequisite-packages': record.prerequisites,
    'upgrade-from-packages': record.upgradeFrom,
    ...(record.module === undefined ? {} : { 'yang-specification': record.module }),
    ...(record.configContainer === undefined ? {} : { 'configuration-container': record.configContainer }),
    ...(record.description === undefined ? {} : { description: record.description }),
  };
}

/**
 * The package-status of a device's row: its operation's while one runs or
 * after one failed, else `installed` or `not-installed`. `confirmed` says
 * whether the package is in the device's installed set: an install that
 * needs a restart is `installed` but not confirmed until the device reports
 * the new version after it.
 */
export function packageStatus(row: DevicePackage | undefined): string {
  if (row === undefined) return 'not-installed';
  if (row.opTx !== undefined || (row.opStatus !== undefined && !isSuccess(row.opStatus)))
    return row.opStatus ?? 'not-installed';
  return row.installed ? 'installed' : (row.opStatus ?? 'not-installed');
}

function isSuccess(status: string): boolean {
  return status === 'installed' || status === 'upgraded' || status === 'uninstalled' || status === 'transmitted';
}

/** One device's state of a package (get-package-status, list-devices-with-package). */
export function deviceStatusObject(
  deviceId: string,
  name: string,
  row: DevicePackage | undefined,
): Record<string, unknown> {
  return {
    'device-id': deviceId,
    'package-name': name,
    'package-status': packageStatus(row),
    confirmed: row?.installed ?? false,
    ...(row?.version === undefined ? {} : { version: row.version }),
    ...(row?.operation === undefined || row.opTx === undefined
      ? {}
      : { operation: row.operation, 'transaction-id': row.opTx }),
    'chunks-acknowledged': row?.acked ?? 0,
    'chunks-total': row?.total ?? 0,
    ...(row?.reason === undefined ? {} : { reason: row.reason }),
  };
}

/** A group rollout as get-package-status reports it. */
export function rolloutObject(rollout: Rollout): Record<string, unknown> {
  return {
    'transaction-id': rollout.txId,
    'package-name': rollout.package,
    state: rolloutState(rollout),
    members: rollout.total,
    succeeded: rollout.succeeded,
    failed: rollout.failed,
    cancelled: rollout.cancelled,
    ...(rollout.successThreshold === undefined ? {} : { 'success-threshold': rollout.successThreshold }),
    ...(rollout.abortPercent === undefined ? {} : { 'abort-failure-percent': rollout.abortPercent }),
  };
}
