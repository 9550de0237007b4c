import type { Hono } from 'hono';
import * as v from 'valibot';
import { confirmLicense, type License, listLicenses } from '../store/licenses.ts';
import { bodyOf, type DeviceEnv } from './http.ts';
import { problem } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';

const confirmation = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  state: v.picklist(['inuse', 'removed']),
});

/** A pending licence as Xyte's Get Licenses lists it: one of `add`, `update`, `remove`, and `expired_at`. */
function licenseEntry(license: License): Record<string, unknown> {
  return {
    id: license.licenseId,
    [license.state]: true,
    ...(license.expiresAt === undefined ? {} : { expired_at: new Date(license.expiresAt).toISOString() }),
    data: license.data,
  };
}

/**
 * Licences (docs/sources.md, the Xyte device API Licenses): the pending ones in the order the
 * backend changed them, applied by the device one after another, each
 * confirmed with `{id, state: inuse|removed}`.
 */
export function licenseRoutes(app: Hono<DeviceEnv>, runtime: DeviceRuntime): void {
  const { db } = runtime.server;
  app.get('/devices/:id/licenses', async (c) => {
    const device = c.get('device');
    return c.json((await listLicenses(db, device.account, device, { pendingOnly: true })).map(licenseEntry));
  });
  app.post('/devices/:id/licenses', async (c) => {
    const device = c.get('device');
    const body = await bodyOf(runtime, c.req.raw, confirmation);
    if ('refused' in body) return body.refused;
    const outcome = await confirmLicense(db, device.account, {
      deviceId: device.deviceId,
      createdAt: device.createdAt,
      licenseId: body.value.id,
      state: body.value.state,
    });
    if (outcome === 'unknown-license') return problem(404, outcome, `No licence ${body.value.id} for this device`);
    if (outcome === 'not-pending') {
      return problem(409, outcome, `Licence ${body.value.id} waits for the other confirmation`);
    }
    return c.json({ id: body.value.id, state: body.value.state });
  });
}
