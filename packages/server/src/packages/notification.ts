import type { TxEvent } from '@fleetkit/txqueue';

/**
 * The method of every package transaction's callbacks: the 2.x design's
 * `package-operation-notification` (docs/sources.md, the real exodm server,
 * item 1), whatever the operation.
 */
export const PACKAGE_OPERATION_NOTIFICATION = 'exodm:package-operation-notification';

/**
 * Fills in `package-status` where the device reported none: a transaction
 * that timed out is `timeout`, as the 2.x notification names it. What the
 * device or the package routes reported (`transferring` with chunk counts,
 * `installed`, `install-failed`…) is already among the params.
 */
export function addPackageStatus(event: TxEvent, params: Record<string, unknown>): void {
  if (event.kind !== 'package' || params['package-status'] !== undefined) return;
  if (event.status === 'time-out') params['package-status'] = 'timeout';
}
