import * as v from 'valibot';
import { type AttributeSchema, AttributesInvalid, attributeSchema } from '../attributes.ts';
import { queueName, type ServerContext } from '../context.ts';
import { checkDestination } from '../destinations.ts';
import { fail, ResultCode } from '../result-code.ts';
import { forgetTargetConfig } from '../store/config-sets.ts';
import { type DeviceType, findDeviceType, lockDeviceType } from '../store/device-types.ts';
import {
  claimId,
  type Device,
  type DeviceProperties,
  deleteDevice,
  findDevice,
  insertDevice,
  isConnected,
  listDevices,
  saveDevice,
} from '../store/devices.ts';
import { groupsOfDevice, leaveAllGroups, lockGroup, releaseEmptyGroupTypes } from '../store/groups.ts';
import { method, type ServerMethod } from './method.ts';
import { paging } from './paging.ts';
import { account, notificationUrl } from './params.ts';

/** Control characters, and UTF-16 halves without their pair, which PostgreSQL text and txqueue names refuse. */
const UNSAFE = /[\p{Cc}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/**
 * A device, group or device-type id: exodm_type.yang `id-string` (1..64
 * characters), without control characters or unpaired surrogates.
 */
export const objectId = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  v.check((id) => !UNSAFE.test(id), 'an id without control characters'),
);

/** One or more ids: a JSON array (a YANG leaf-list) or a single string, without repeats. */
export const objectIds = v.pipe(
  v.union([objectId, v.array(objectId)]),
  v.transform((ids) => [...new Set(Array.isArray(ids) ? ids : [ids])]),
);

const MAX_UINT64 = 18_446_744_073_709_551_615n;

/** exodm_device.yang `uint64` keys: a JSON number up to 2^53 or decimal text up to 2^64-1, kept as text. */
const uint64 = v.pipe(
  v.union([
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
    v.pipe(v.string(), v.regex(/^(0|[1-9][0-9]{0,19})$/, 'a decimal uint64')),
  ]),
  v.transform((value) => String(value)),
  v.check((text) => BigInt(text) <= MAX_UINT64, 'a uint64 (at most 18446744073709551615)'),
);

/** exodm_device.yang `decimal64 { fraction-digits 6; range "-limit..limit"; }`, as a number or decimal text. */
function coordinate(limit: number) {
  return v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?[0-9]{1,3}(\.[0-9]{1,6})?$/, 'a decimal number'))]),
    v.transform(Number),
    v.minValue(-limit),
    v.maxValue(limit),
    v.check((value) => Number(value.toFixed(6)) === value, 'at most 6 fraction digits'),
  );
}

const shortText = v.pipe(v.string(), v.maxLength(64));

/** The 1.x device-object fields (docs/sources.md, the real exodm server item 1 `create-device`). */
const propertyParams = {
  'server-key': v.optional(uint64),
  'device-key': v.optional(uint64),
  'session-timeout': v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(43_200))),
  msisdn: v.optional(shortText),
  imsi: v.optional(shortText),
  imei: v.optional(shortText),
  latitude: v.optional(coordinate(90)),
  longitude: v.optional(coordinate(180)),
};
const PROPERTY_NAMES = Object.keys(propertyParams) as (keyof DeviceProperties)[];

/** Device keys are credentials: stored for 1.x callers, never read back (the real server hid them from lookup-device). */
const SECRET_PROPERTIES = new Set<string>(['server-key', 'device-key']);

const deviceParams = {
  account,
  'device-id': objectId,
  description: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  'notification-url': v.optional(notificationUrl),
  ...propertyParams,
  // 2.x: anyxml shaped by the device type's YANG container (manual §5.5)
  attributes: v.optional(
    v.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'Invalid type: Expected a JSON object',
    ),
  ),
};

type PropertyInput = { readonly [K in keyof DeviceProperties]?: DeviceProperties[K] | undefined };

function propertiesOf(given: PropertyInput, base: DeviceProperties = {}): DeviceProperties {
  const properties: Record<string, unknown> = { ...base };
  for (const name of PROPERTY_NAMES) if (given[name] !== undefined) properties[name] = given[name];
  return properties as DeviceProperties;
}

/** The device object of lookup-device and list-devices: the 1.x fields plus the 2.x attributes. */
export function deviceObject(device: Device): Record<string, unknown> {
  const object: Record<string, unknown> = { 'device-id': device.deviceId, 'device-type': device.deviceType };
  if (device.description !== undefined) object.description = device.description;
  if (device.notificationUrl !== undefined) object['notification-url'] = device.notificationUrl;
  object['session-timeout'] = device.properties['session-timeout'] ?? 0;
  for (const name of PROPERTY_NAMES) {
    const value = device.properties[name];
    if (value !== undefined && !SECRET_PROPERTIES.has(name)) object[name] = value;
  }
  if (Object.keys(device.attributes).length > 0) object.attributes = device.attributes;
  return object;
}

/** One named value of a device for lookup-device-attributes: a 1.x field, a 2.x attribute or is-connected. */
function attributeValue(device: Device, name: string, now: number): unknown {
  if (name === 'is-connected') return String(isConnected(device, now));
  if (SECRET_PROPERTIES.has(name)) return undefined;
  const object = deviceObject(device);
  if (name !== 'attributes' && object[name] !== undefined) return object[name];
  return Object.hasOwn(device.attributes, name) ? device.attributes[name] : undefined;
}

function attributeList(device: Device, names: readonly string[], now: number): { name: string; val: unknown }[] {
  const list: { name: string; val: unknown }[] = [];
  for (const name of names) {
    const val = attributeValue(device, name, now);
    if (val !== undefined) list.push({ name, val });
  }
  return list;
}

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
      summary: 'Named fields and attributes of a device as name/val pairs, with the pseudo-attribute is-connected',
      params: v.object({ account, 'device-id': objectId, attributes: v.array(v.pipe(v.string(), v.maxLength(256))) }),
      handler: async (p, call) => {
        const device = await findDevice(db, call.account, p['device-id']);
        if (device === undefined) {
          return { result: ResultCode.DeviceNotFound, reason: `device ${p['device-id']} does not exist` };
        }
        return { result: ResultCode.Ok, attributes: attributeList(device, p.attributes, server.clock.now()) };
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
        return {
          result: ResultCode.Ok,
          devices: found.map((device) => ({
            'device-id': device.deviceId,
            attributes: attributeList(device, p.attributes, now),
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
