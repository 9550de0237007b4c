import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { setProvisioningKey, typeOfProvisioningKey } from '../store/device-keys.ts';
import type { DeviceType } from '../store/device-types.ts';
import { secretHash } from './secrets.ts';

/**
 * The `provisioning-key` param of create-device-type and update-device-type
 * (fleetkit's, docs/server.md §Devices): at least 16 characters, since a
 * device that knows it can register as any device of the type; `""` removes it.
 */
export const provisioningKeyParam = v.optional(
  v.union([v.literal(''), v.pipe(v.string(), v.minLength(16), v.maxLength(256))]),
);

/** A provisioning key the backend gave, checked against the account's other types and hashed; undefined when none was given. */
export interface ProvisioningChange {
  /** The hash to store, or undefined to remove the type's key. */
  readonly keyHash: string | undefined;
}

/**
 * Checks a given provisioning key before the type is stored: another type of
 * the account with the same key is `object-exists` (a key names one type).
 */
export async function checkProvisioningKey(
  server: ServerContext,
  account: string,
  change: { readonly typeName: string; readonly key: string | undefined },
): Promise<ProvisioningChange | undefined> {
  if (change.key === undefined) return undefined;
  if (change.key === '') return { keyHash: undefined };
  const keyHash = await secretHash(change.key);
  const holder = await typeOfProvisioningKey(server.db, account, keyHash);
  if (holder !== undefined && holder.deviceType !== change.typeName) {
    fail(ResultCode.ObjectExists, 'another device type has this provisioning-key');
  }
  return { keyHash };
}

/** Stores (or removes) a type's provisioning key hash, after the type itself was stored. */
export async function saveProvisioningKey(
  server: ServerContext,
  account: string,
  saved: { readonly type: DeviceType; readonly change: ProvisioningChange | undefined },
): Promise<void> {
  if (saved.change === undefined) return;
  const stored = await setProvisioningKey(server.db, account, {
    deviceType: saved.type.name,
    keyHash: saved.change.keyHash,
    typeCreatedAt: saved.type.createdAt,
  });
  if (!stored) fail(ResultCode.ObjectExists, 'another device type has this provisioning-key');
}
