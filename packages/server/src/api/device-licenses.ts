import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { nextValue } from '../store/counters.ts';
import { type Device, findDevice } from '../store/devices.ts';
import { grantLicense, type License, listLicenses, revokeLicense } from '../store/licenses.ts';
import { objectId } from './device-params.ts';
import { method, type ServerMethod } from './method.ts';
import { account } from './params.ts';

/** The counter of srv_counters that orders licence changes (a device applies them in this order). */
const LICENSE_COUNTER = 'license-change';

/** An expiry: epoch milliseconds, or an ISO-8601 date-time (what the Xyte API sends as `expired_at`). */
const expiry = v.pipe(
  v.union([
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
    v.pipe(v.string(), v.isoTimestamp()),
  ]),
  v.transform((value) => (typeof value === 'number' ? value : Date.parse(value))),
);

const data = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'Invalid type: Expected a JSON object',
);

async function deviceOr404(server: ServerContext, account: string, deviceId: string): Promise<Device> {
  return (
    (await findDevice(server.db, account, deviceId)) ??
    fail(ResultCode.DeviceNotFound, `device ${deviceId} does not exist`)
  );
}

/** A licence as the backend API shows it. */
export function licenseObject(license: License): Record<string, unknown> {
  const object: Record<string, unknown> = { 'license-id': license.licenseId, state: license.state, data: license.data };
  if (license.expiresAt !== undefined) object['expires-at'] = new Date(license.expiresAt).toISOString();
  return object;
}

/**
 * Device licences (docs/sources.md, the Xyte device API Licenses, the Xyte model): the backend
 * grants and revokes them here; a device learns of a change from its
 * telemetry answer (`new_licenses`), fetches the pending ones and confirms
 * each (`inuse`, `removed`). Not in the manual: fleetkit's own methods.
 */
export function deviceLicenseMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  return [
    method('exodm:add-device-license', {
      summary: 'Grants a device a licence (or changes one it holds); the device confirms it in use',
      params: v.object({
        account,
        'device-id': objectId,
        'license-id': objectId,
        data: v.optional(data, {}),
        'expires-at': v.optional(expiry),
      }),
      handler: async (p, call) => {
        const device = await deviceOr404(server, call.account, p['device-id']);
        const seq = await nextValue(db, call.account, LICENSE_COUNTER);
        const state = await grantLicense(db, call.account, device, {
          licenseId: p['license-id'],
          data: p.data,
          expiresAt: p['expires-at'],
          seq,
        });
        return { result: ResultCode.Ok, state };
      },
    }),
    method('exodm:remove-device-license', {
      summary: 'Revokes a licence: withdrawn at once if never confirmed, else removed once the device confirms',
      params: v.object({ account, 'device-id': objectId, 'license-id': objectId }),
      handler: async (p, call) => {
        const device = await deviceOr404(server, call.account, p['device-id']);
        const seq = await nextValue(db, call.account, LICENSE_COUNTER);
        const state = await revokeLicense(db, call.account, { ...device, licenseId: p['license-id'], seq });
        if (state === undefined)
          fail(ResultCode.ObjectNotFound, `device ${device.deviceId} has no licence ${p['license-id']}`);
        return { result: ResultCode.Ok, state };
      },
    }),
    method('exodm:list-device-licenses', {
      summary: "A device's licences: in use, or waiting for the device to add, update or remove them",
      params: v.object({ account, 'device-id': objectId }),
      handler: async (p, call) => {
        const device = await deviceOr404(server, call.account, p['device-id']);
        return { result: ResultCode.Ok, licenses: (await listLicenses(db, call.account, device)).map(licenseObject) };
      },
    }),
  ];
}
