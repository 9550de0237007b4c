import * as v from 'valibot';
import { attributeSchema } from '../attributes.ts';
import type { ServerContext } from '../context.ts';
import { checkProvisioningKey, provisioningKeyParam, saveProvisioningKey } from '../devices/provisioning.ts';
import { fail, ResultCode } from '../result-code.ts';
import {
  canonicalProtocol,
  DEVICE_PROTOCOLS,
  type DeviceType,
  deleteDeviceType,
  findDeviceType,
  insertDeviceType,
  listDeviceTypes,
  PROTOCOL_ALIASES,
  saveDeviceType,
} from '../store/device-types.ts';
import { listDevices, typeInUse } from '../store/devices.ts';
import { objectId } from './device-params.ts';
import { method, type ServerMethod } from './method.ts';
import { paging } from './paging.ts';
import { account } from './params.ts';

const protocol = v.pipe(
  v.string(),
  v.check(
    (name) => canonicalProtocol(name) !== undefined,
    `a device protocol: ${[...DEVICE_PROTOCOLS, ...Object.keys(PROTOCOL_ALIASES)].join(', ')}`,
  ),
  v.transform((name) => canonicalProtocol(name) as string),
);

/** 2.x: the YANG module and container that specify the type's device attributes (manual §5.5). */
const specification = {
  'yang-specification': v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  'attribute-container': v.optional(objectId),
  description: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  // fleetkit's: the key a device of the type registers with (POST /v1/devices); stored as a hash
  'provisioning-key': provisioningKeyParam,
};

/** Refuses an attribute specification that names only one of its module and container. */
async function checkSpecification(server: ServerContext, account: string, type: DeviceType): Promise<void> {
  const { attributeModule, attributeContainer } = type;
  if (attributeModule === undefined && attributeContainer === undefined) return;
  if (attributeModule === undefined || attributeContainer === undefined) {
    fail(ResultCode.MissingOption, 'an attribute specification names both yang-specification and attribute-container');
  }
  // compiles the module now, so that a type never names a module or container that is not there
  await attributeSchema(server, account, attributeModule, attributeContainer);
}

function typeObject(type: DeviceType): Record<string, unknown> {
  const object: Record<string, unknown> = { name: type.name, protocol: type.protocol };
  if (type.attributeModule !== undefined) object['yang-specification'] = type.attributeModule;
  if (type.attributeContainer !== undefined) object['attribute-container'] = type.attributeContainer;
  if (type.description !== undefined) object.description = type.description;
  return object;
}

/** Device types (manual §5.5; docs/sources.md, the real exodm server item 1 device-type methods, 1.x and 2.x shapes). */
export function deviceTypeMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  return [
    method('exodm:create-device-type', {
      summary: 'Creates a device type: its protocol plugin and, in 2.x, the YANG container of its attributes',
      params: v.object({ account, name: objectId, protocol, ...specification }),
      handler: async (p, call) => {
        const type: DeviceType = {
          name: p.name,
          protocol: p.protocol,
          attributeModule: p['yang-specification'],
          attributeContainer: p['attribute-container'],
          description: p.description,
          createdAt: server.clock.now(),
        };
        await checkSpecification(server, call.account, type);
        const change = await checkProvisioningKey(server, call.account, {
          typeName: p.name,
          key: p['provisioning-key'],
        });
        if (!(await insertDeviceType(db, call.account, type))) {
          fail(ResultCode.ObjectExists, `device type ${p.name} exists`);
        }
        await saveProvisioningKey(server, call.account, { type, change });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:update-device-type', {
      summary: "Changes a device type's protocol or attribute specification (attributes are checked when written)",
      params: v.object({ account, name: objectId, protocol: v.optional(protocol), ...specification }),
      handler: async (p, call) => {
        const old =
          (await findDeviceType(db, call.account, p.name)) ??
          fail(ResultCode.ObjectNotFound, `device type ${p.name} does not exist`);
        const type: DeviceType = {
          ...old,
          protocol: p.protocol ?? old.protocol,
          attributeModule: p['yang-specification'] ?? old.attributeModule,
          attributeContainer: p['attribute-container'] ?? old.attributeContainer,
          description: p.description ?? old.description,
        };
        await checkSpecification(server, call.account, type);
        const change = await checkProvisioningKey(server, call.account, {
          typeName: p.name,
          key: p['provisioning-key'],
        });
        await saveDeviceType(db, call.account, type);
        await saveProvisioningKey(server, call.account, { type, change });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-device-type', {
      summary: 'Deletes a device type no device uses (else object-not-empty, as the real server)',
      params: v.object({ account, name: objectId }),
      handler: async (p, call) => {
        await db.transaction(async (tx) => {
          // delete first: the row lock makes a concurrent create-device of this type wait, then find it gone
          if (!(await deleteDeviceType(tx, call.account, p.name))) {
            fail(ResultCode.ObjectNotFound, `device type ${p.name} does not exist`);
          }
          if (await typeInUse(tx, call.account, p.name)) {
            fail(ResultCode.ObjectNotEmpty, `devices of type ${p.name} exist`);
          }
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-device-types', {
      summary: 'Lists device types, n after previous',
      params: v.object({ account, ...paging }),
      handler: async (p, call) => ({
        result: ResultCode.Ok,
        'device-types': (await listDeviceTypes(db, call.account, p)).map(typeObject),
      }),
    }),
    method('exodm:list-device-type-members', {
      summary: 'Lists the ids of the devices of a type, n after previous (2.x list-device-type-devices)',
      params: v.object({ account, name: objectId, ...paging }),
      handler: async (p, call) => {
        if ((await findDeviceType(db, call.account, p.name)) === undefined) {
          fail(ResultCode.ObjectNotFound, `device type ${p.name} does not exist`);
        }
        const ids = (await listDevices(db, call.account, { ...p, type: p.name })).map((device) => device.deviceId);
        return {
          result: ResultCode.Ok,
          'device-type-members': ids,
          devices: ids.map((id) => ({ 'device-id': id })),
        };
      },
    }),
  ];
}
