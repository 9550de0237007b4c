import { CheckFailure } from '../runner/check.ts';
import { show } from '../runner/expect.ts';
import type { Tenant } from '../runner/tenant.ts';

/** How long a check waits to show that nothing (more) arrives. */
export const QUIET_MS = 400;

/** The exosense status-code texts (docs/sources.md, the real exodm item 2: the enum's descriptions). */
export const STATUS_TEXT = {
  accepted: 'Operation has been accepted and is in progress.',
  complete: 'The operation has completed successfully.',
  'time-out': 'Operation has timed out.',
  'device-connected': 'A connection has been established with the device addressed by the operation.',
} as const;

/** A target's configuration values in one area (§7.1: staged, pending, installed). */
export async function readArea(tenant: Tenant, target: string, module: string, area: string): Promise<unknown> {
  const reply = await tenant.call('exodm:read-config-data', { 'device-id': target, module, area });
  if (reply.result?.result !== 'ok') {
    throw new CheckFailure(`read-config-data ${target} ${module} ${area}: ${show(reply.error ?? reply.result)}`);
  }
  return reply.result.values;
}
