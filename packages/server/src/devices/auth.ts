import { secretsEqual } from '@fleetkit/core';
import type { ServerContext } from '../context.ts';
import { ownerOfPublicId } from '../store/device-keys.ts';
import type { DeviceProtocol } from '../store/device-types.ts';
import { type Device, findDevice } from '../store/devices.ts';
import { secretMatches } from './secrets.ts';

/** Why a device's credentials were refused: unknown or deleted device, or a wrong (rotated) key; or another protocol's device. */
export type DeviceRefusal = 'unauthorized' | 'wrong-protocol';

/** The outcome of a device's authentication. */
export type DeviceAuth = { readonly device: Device } | { readonly refused: DeviceRefusal };

function judged(device: Device, protocol: DeviceProtocol | undefined): DeviceAuth {
  if (protocol !== undefined && device.protocol !== protocol) return { refused: 'wrong-protocol' };
  return { device };
}

/**
 * The device an opaque public id and access key name (the Xyte URL id and
 * `Authorization` header, the broker's deviceId and apiKey). A deleted
 * device has no key any more, so it is refused like a wrong key; a device
 * of another protocol is refused with `wrong-protocol`.
 */
export async function deviceByPublicId(
  server: ServerContext,
  credentials: { readonly publicId: string; readonly key: string; readonly protocol?: DeviceProtocol },
): Promise<DeviceAuth> {
  const owner = await ownerOfPublicId(server.db, credentials.publicId);
  const device = owner === undefined ? undefined : await findDevice(server.db, owner.account, owner.deviceId);
  // hash even when there is nothing to compare with, so a missing device answers as slowly as a wrong key
  const matches = await secretMatches(device?.secretHash ?? 'sha256:', credentials.key);
  if (device === undefined || !matches) return { refused: 'unauthorized' };
  return judged(device, credentials.protocol);
}

/**
 * The device of an exoport login (`*account*device`, docs/sources.md, the real exodm server item 4) and its
 * password: the access key it registered with, or else its 1.x `device-key`
 * (create-device), the shared secret the real server's devices were built with.
 */
export async function deviceByLogin(
  server: ServerContext,
  credentials: {
    readonly account: string;
    readonly deviceId: string;
    readonly password: string;
    readonly protocol?: DeviceProtocol;
  },
): Promise<DeviceAuth> {
  const device = await findDevice(server.db, credentials.account, credentials.deviceId);
  if (device === undefined) {
    await secretMatches('sha256:', credentials.password);
    return { refused: 'unauthorized' };
  }
  if (device.secretHash !== undefined) {
    return (await secretMatches(device.secretHash, credentials.password))
      ? judged(device, credentials.protocol)
      : { refused: 'unauthorized' };
  }
  const deviceKey = device.properties['device-key'];
  if (deviceKey !== undefined && (await secretsEqual(deviceKey, credentials.password))) {
    return judged(device, credentials.protocol);
  }
  return { refused: 'unauthorized' };
}

/**
 * Splits an exoport login `<D>account<D>device` (docs/sources.md, the real exodm server item 4: D is the
 * first character, a delimiter that occurs in neither name); undefined when
 * it is not one.
 */
export function splitLogin(login: string): { readonly account: string; readonly deviceId: string } | undefined {
  const delimiter = login[0];
  if (delimiter === undefined || /[A-Za-z0-9]/.test(delimiter)) return undefined;
  const at = login.indexOf(delimiter, 1);
  if (at <= 1 || at === login.length - 1) return undefined;
  return { account: login.slice(1, at), deviceId: login.slice(at + 1) };
}
