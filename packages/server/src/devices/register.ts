import * as v from 'valibot';
import { objectId } from '../api/device-params.ts';
import { checkAttributes } from '../api/devices.ts';
import { AttributesInvalid } from '../attributes.ts';
import type { ServerContext } from '../context.ts';
import { assignPublicId, recordFirmware, typeOfProvisioningKey } from '../store/device-keys.ts';
import { findDeviceType, lockDeviceType } from '../store/device-types.ts';
import { claimId, findDevice, insertDevice, setDeviceSecretHash } from '../store/devices.ts';
import { newAccessKey, newPublicId, secretHash } from './secrets.ts';

/** A registration as a device sends it (docs/sources.md, the Xyte device API Register Device, with fleetkit's account and key). */
export const registrationBody = v.pipe(
  v.object({
    account: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    device_id: v.optional(objectId),
    cloud_id: v.optional(objectId),
    mac: v.optional(v.pipe(v.string(), v.regex(/^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$/, 'a MAC address'))),
    sn: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(40))),
    // Xyte names the model's key `hardware_key`; both spellings are accepted
    provisioning_key: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
    hardware_key: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
    firmware_version: v.optional(v.pipe(v.string(), v.maxLength(64))),
    name: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  }),
  v.check((body) => (body.provisioning_key ?? body.hardware_key) !== undefined, 'a provisioning_key'),
  v.check(
    (body) =>
      body.device_id !== undefined || body.cloud_id !== undefined || (body.mac !== undefined && body.sn !== undefined),
    'a device_id, a cloud_id, or a mac and an sn',
  ),
);
export type RegistrationBody = v.InferOutput<typeof registrationBody>;

/** Why a registration was refused, with the HTTP status the plugin answers. */
export type RegistrationRefusal =
  | { readonly status: 400; readonly code: 'invalid-device-id' }
  | { readonly status: 401; readonly code: 'invalid-provisioning-key' }
  | { readonly status: 409; readonly code: 'device-type-mismatch' | 'id-taken' }
  | { readonly status: 422; readonly code: 'attributes-invalid'; readonly reason: string };

/** A registered device: its public id and its new access key (shown once, stored only as a hash). */
export interface Registered {
  readonly account: string;
  readonly deviceId: string;
  readonly publicId: string;
  readonly accessKey: string;
}

/** The device id a registration names: `device_id`, else `cloud_id`, else `<mac>-<sn>` (mac in lower case, no separators). */
export function registeredId(body: RegistrationBody): string {
  if (body.device_id !== undefined) return body.device_id;
  if (body.cloud_id !== undefined) return body.cloud_id;
  return `${body.mac!.replace(/[:-]/g, '').toLowerCase()}-${body.sn!}`;
}

/**
 * Provisions a device (manual §5.4; docs/sources.md, the Xyte device API Register Device): the
 * provisioning key names the device type; the device is created with that
 * type if absent, or given a new key if present (of the same type only),
 * and its former key stops working.
 */
export async function registerDevice(
  server: ServerContext,
  body: RegistrationBody,
): Promise<Registered | RegistrationRefusal> {
  const { db } = server;
  const account = body.account;
  const key = await typeOfProvisioningKey(db, account, await secretHash((body.provisioning_key ?? body.hardware_key)!));
  const type = key === undefined ? undefined : await findDeviceType(db, account, key.deviceType);
  // a type deleted and made again under the same name does not take the old type's key
  if (key === undefined || type === undefined || type.createdAt !== key.typeCreatedAt) {
    return { status: 401, code: 'invalid-provisioning-key' };
  }
  const named = v.safeParse(objectId, registeredId(body));
  if (!named.success) return { status: 400, code: 'invalid-device-id' };
  const deviceId = named.output;
  const existing = await findDevice(db, account, deviceId);
  if (existing === undefined) {
    try {
      await checkAttributes(server, account, { type, attributes: {} });
    } catch (error) {
      if (error instanceof AttributesInvalid) return { status: 422, code: 'attributes-invalid', reason: error.reason };
      throw error;
    }
  }
  const accessKey = newAccessKey();
  const hash = await secretHash(accessKey);
  const now = server.clock.now();
  const refusal = await db.transaction(async (tx): Promise<RegistrationRefusal | undefined> => {
    if ((await lockDeviceType(tx, account, type.name)) === undefined)
      return { status: 401, code: 'invalid-provisioning-key' };
    const device = await findDevice(tx, account, deviceId);
    if (device === undefined) {
      if (!(await claimId(tx, account, { id: deviceId, kind: 'device' }))) return { status: 409, code: 'id-taken' };
      await insertDevice(tx, account, {
        deviceId,
        deviceType: type.name,
        description: body.name,
        notificationUrl: undefined,
        attributes: {},
        properties: {},
        createdAt: now,
      });
    } else if (device.deviceType !== type.name) {
      return { status: 409, code: 'device-type-mismatch' };
    }
    await setDeviceSecretHash(tx, account, { deviceId, hash });
    return undefined;
  });
  if (refusal !== undefined) return refusal;
  const device = await findDevice(db, account, deviceId);
  if (device !== undefined) await recordFirmware(db, account, device, body.firmware_version);
  const publicId = await assignPublicId(db, account, { deviceId, publicId: newPublicId(), at: now });
  return { account, deviceId, publicId, accessKey };
}

/** True for a refusal (as opposed to a registration). */
export function isRefusal(outcome: Registered | RegistrationRefusal): outcome is RegistrationRefusal {
  return 'status' in outcome;
}
