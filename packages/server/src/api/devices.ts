import * as v from 'valibot';
import { type AttributeSchema, AttributesInvalid, attributeSchema } from '../attributes.ts';
import { queueName, type ServerContext } from '../context.ts';
import { checkDestination } from '../destinations.ts';
import { fail, ResultCode } from '../result-code.ts';
import { forgetTargetConfig } from '../store/config-sets.ts';
import { readReport, readReports } from '../store/device-keys.ts';
import { type DeviceType, findDeviceType, lockDeviceType } from '../store/device-types.ts';
import {
  claimId,
  type Device,
  deleteDevice,
  findDevice,
  insertDevice,
  listDevices,
  saveDevice,
} from '../store/devices.ts';
import { groupsOfDevice, leaveAllGroups, lockGroup, releaseEmptyGroupTypes } from '../store/groups.ts';
import { attributeList, deviceObject, namesReport } from './device-objects.ts';
import { deviceParams, objectId, objectIds, propertiesOf } from './device-params.ts';
import { method, type ServerMethod } from './method.ts';
import { paging } from './paging.ts';
import { account } from './params.ts';

/** Checks attributes against the type's specification, when it has one (manual §5.5). */
export async function checkAttributes(
  server: ServerContext,
  account: string,
  check: { readonly type: DeviceType; readonly attributes: Readonly<Record<string, unknown>> },
): Promise<void> {
  const { attributeModule, attributeContainer } = check.type;
  if (attributeModule === undefined || attributeContainer === undefined) return;
  const schema: AttributeSchema = await attributeSchema(server, account, attributeModule, attributeContainer);
  const issues = schema.check(check.attributes);
  if (issues.length > 0) throw new AttributesInvalid(issues);
}

/** A `*`/`?` glob over device ids (list-devices-attributes `pattern`) as a regular expression. */
function globPattern(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'su');
}

/**
 * Cancels a target's open transactions (those of a deleted device or
 * group): nothing will act on them any more, and their callers hear
 * `cancelled` (exported for the group family).
 */
export async function cancelOpen(
  server: ServerContext,
  target: { readonly device: string } | { readonly group: string },
): Promise<void> {
  const batch = 100;
  let after = 0;
  for (;;) {
    const open = await server.queue.list(target, { open: true, after, limit: batch });
    for (const transaction of open) {
      if (transaction.state !== 'cancelling') await server.queue.cancel(target, transaction.id);
    }
    if (open.length < batch) return;
    after = open[open.length - 1]!.id;
  }
}

/** Devices (manual §5.4; docs/sources.md, the real exodm server item 1 device methods, 1.x and 2.x shapes). */
export function deviceMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  return [
    method('exodm:create-device', {
      summary: 'Provisions a device of a device type, with optional 1.x fields and 2.x attributes',
      params: v.object({ ...deviceParams, 'device-type': objectId }),
      handler: async (p, call) => {
        const type =
          (await findDeviceType(db, call.account, p['device-type'])) ??
          fail(ResultCode.ObjectNotFound, `device type ${p['device-type']} does not exist`);
        const attributes = p.attributes ?? {};
        await checkAttributes(server, call.account, { type, attributes });
        if (p['notification-url'] !== undefined) await checkDestination(server, p['notification-url']);
        await db.transaction(async (tx) => {
          if ((await lockDeviceType(tx, call.account, type.name)) === undefined) {
            fail(ResultCode.ObjectNotFound, `device type ${type.name} does not exist`);
          }
          if (!(await claimId(tx, call.account, { id: p['device-id'], kind: 'device' }))) {
            fail(ResultCode.ObjectExists, `${p['device-id']} already names a device or group of the account`);
          }
          await insertDevice(tx, call.account, {
            deviceId: p['device-id'],
            deviceType: type.name,
            description: p.description,
            notificationUrl: p['notification-url'],
            attributes,
            properties: propertiesOf(p),
            createdAt: server.clock.now(),
          });
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:update-device', {
      summary: "Changes a device's fields; 2.x attributes are merged member by member and checked again",
      params: v.object({ ...deviceParams, 'device-type': v.optional(objectId) }),
      handler: async (p, call) => {
        const device =
          (await findDevice(db, call.account, p['device-id'])) ??
          fail(ResultCode.ObjectNotFound, `device ${p['device-id']} does not exist`);
        const typeName = p['device-type'] ?? device.deviceType;
        const retyped = typeName !== device.deviceType;
        const type =
          (await findDeviceType(db, call.account, typeName)) ??
          fail(ResultCode.ObjectNotFound, `device type ${typeName} does not exist`);
        const attributes = { ...device.attributes, ...p.attributes };
        if (p.attributes !== undefined || retyped) await checkAttributes(server, call.account, { type, attributes });
        if (p['notification-url'] !== undefined) await checkDestination(server, p['notification-url']);
        await db.transaction(async (tx) => {
          if (retyped) {
            if ((await lockDeviceType(tx, call.account, typeName)) === undefined) {
              fail(ResultCode.ObjectNotFound, `device type ${typeName} does not exist`);
            }
            // manual §5.8: a group's members share one type, so a member cannot change its own
            if ((await groupsOfDevice(tx, call.account, device.deviceId)).length > 0) {
              fail(ResultCode.ValidationFailed, `device ${device.deviceId} must leave its groups to change type`);
            }
          }
          const saved = await saveDevice(tx, call.account, {
            deviceId: device.deviceId,
            deviceType: typeName,
            description: p.description ?? device.description,
            notificationUrl: p['notification-url'] ?? device.notificationUrl,
            attributes,
            properties: propertiesOf(p, device.properties),
          });
          if (!saved) fail(ResultCode.ObjectNotFound, `device ${device.deviceId} does not exist`);
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:lookup-device', {
      summary: 'A device object; the real server answers device-not-found with no devices for an unknown id',
      params: v.object({ account, 'device-id': objectId }),
      handler: async (p, call) => {
        const device = await findDevice(db, call.account, p['device-id']);
        if (device === undefined) {
          return { result: ResultCode.DeviceNotFound, reason: `device ${p['device-id']} does not exist`, devices: [] };
        }
        const object = deviceObject(device);
        // 2.x returns the device object's members at the top level, 1.x in a one-element list
        return { result: ResultCode.Ok, ...object, devices: [object] };
      },
    }),
    method('exodm:lookup-device-attributes', {
      summary:
        'Named fields and attributes of a device as name/val pairs, with the pseudo-attributes is-connected, reported-… and telemetry:<name>',
      params: v.object({ account, 'device-id': objectId, attributes: v.array(v.pipe(v.string(), v.maxLength(256))) }),
      handler: async (p, call) => {
        const device = await findDevice(db, call.account, p['device-id']);
        if (device === undefined) {
          return { result: ResultCode.DeviceNotFound, reason: `device ${p['device-id']} does not exist` };
        }
        const report = namesReport(p.attributes) ? await readReport(db, call.account, device) : undefined;
        return { result: ResultCode.Ok, attributes: attributeList(device, p.attributes, server.clock.now(), report) };
      },
    }),
    method('exodm:list-devices', {
      summary: 'Lists device objects, n after previous',
      params: v.object({ account, ...paging }),
      handler: async (p, call) => ({
        result: ResultCode.Ok,
        devices: (await listDevices(db, call.account, p)).map(deviceObject),
      }),
    }),
    method('exodm:list-devices-attributes', {
      summary: 'Lists devices whose id matches a */? pattern, each with the named attributes',
      params: v.object({
        account,
        ...paging,
        attributes: v.optional(v.array(v.pipe(v.string(), v.maxLength(256))), []),
        pattern: v.optional(v.pipe(v.string(), v.maxLength(256)), '*'),
      }),
      handler: async (p, call) => {
        const match = globPattern(p.pattern);
        const now = server.clock.now();
        const found: Device[] = [];
        let previous = p.previous;
        const batch = Math.max(Math.min(p.n, 1000), 1);
        while (found.length < p.n) {
          const page = await listDevices(db, call.account, { n: batch, previous, direction: p.direction });
          for (const device of page) if (found.length < p.n && match.test(device.deviceId)) found.push(device);
          if (page.length < batch) break;
          previous = page[page.length - 1]!.deviceId;
        }
        const reports = namesReport(p.attributes) ? await readReports(db, call.account, found) : undefined;
        return {
          result: ResultCode.Ok,
          devices: found.map((device) => ({
            'device-id': device.deviceId,
            attributes: attributeList(device, p.attributes, now, reports?.get(device.deviceId)),
          })),
        };
      },
    }),
    method('exodm:delete-device', {
      summary:
        'Deletes devices (1.x delete-devices): their memberships and configuration go, their open transactions are cancelled',
      params: v.object({ account, 'device-id': objectIds }),
      handler: async (p, call) => {
        const left = await db.transaction(async (tx) => {
          // groups before devices, as add-device-group-members locks them, so the two cannot deadlock
          const groups = new Set<string>();
          for (const deviceId of p['device-id']) {
            for (const group of await groupsOfDevice(tx, call.account, deviceId)) groups.add(group.groupId);
          }
          for (const group of [...groups].sort()) await lockGroup(tx, call.account, group);
          const memberships: { group: string; device: string }[] = [];
          for (const deviceId of p['device-id']) {
            if (!(await deleteDevice(tx, call.account, deviceId))) {
              fail(ResultCode.ObjectNotFound, `device ${deviceId} does not exist`);
            }
            for (const group of await leaveAllGroups(tx, call.account, deviceId)) {
              memberships.push({ group, device: deviceId });
            }
          }
          await releaseEmptyGroupTypes(
            tx,
            call.account,
            memberships.map((m) => m.group),
          );
          return memberships;
        });
        for (const { group, device } of left) {
          await server.queue.memberLeft(queueName(call.account, group), queueName(call.account, device));
        }
        for (const deviceId of p['device-id']) {
          await cancelOpen(server, { device: queueName(call.account, deviceId) });
          // a later device or group given this id starts without the old one's configuration
          await forgetTargetConfig(db, call.account, deviceId);
        }
        return { result: ResultCode.Ok };
      },
    }),
  ];
}
