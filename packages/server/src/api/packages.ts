import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { updatePackageConfig } from '../packages/config-method.ts';
import { deletePackages } from '../packages/delete.ts';
import { operationMethods } from '../packages/operation-methods.ts';
import { base64Image, declarationOf, declarationParams } from '../packages/params.ts';
import { createPackage } from '../packages/upload.ts';
import { packageObject } from '../packages/views.ts';
import { fail, ResultCode } from '../result-code.ts';
import { findDeviceType } from '../store/device-types.ts';
import { findDevice } from '../store/devices.ts';
import {
  addPackageMember,
  allowPackage,
  disallowPackage,
  packagesOfType,
  typesWithPackage,
} from '../store/package-targets.ts';
import { existingPackages, listPackages } from '../store/packages.ts';
import { method, type ServerMethod } from './method.ts';
import { paging } from './paging.ts';
import { account, idList, idString } from './params.ts';

/** The arguments a device type gives a package's operations (2.x, passed to the device with the operation). */
const typeArguments = {
  'install-arguments': v.optional(v.unknown()),
  'upgrade-arguments': v.optional(v.unknown()),
  'uninstall-arguments': v.optional(v.unknown()),
};

/** Packages (manual §5.6, §6.3): the catalogue, the device types that allow them, and their operations. */
export function packageMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  const typeOr404 = async (accountName: string, name: string) =>
    (await findDeviceType(db, accountName, name)) ??
    fail(ResultCode.ObjectNotFound, `device type ${name} does not exist`);
  const packagesOr404 = async (accountName: string, names: readonly string[]) => {
    const found = await existingPackages(db, accountName, names);
    const missing = names.filter((name) => !found.has(name));
    if (missing.length > 0) fail(ResultCode.ObjectNotFound, `package ${missing.join(', ')} does not exist`);
  };
  return [
    method('exodm:create-package', {
      summary:
        'Creates a package from an inline base64 image (large images: PUT /exodm/packages/{name}), chunked, hashed and signed',
      params: v.object({ account, ...declarationParams, image: v.optional(base64Image) }),
      handler: async (p, call) => {
        if (p.image === undefined) {
          fail(ResultCode.MissingOption, 'image: give it as base64, or stream it to PUT /exodm/packages/{name}');
        }
        const record = await createPackage(server, call.account, declarationOf(p), { image: p.image });
        return { result: ResultCode.Ok, ...packageObject(record) };
      },
    }),
    method('exodm:delete-package', {
      summary:
        'Deletes packages no device has installed or is getting and no other package needs; the name is free again',
      params: v.object({ account, 'package-name': idList }),
      handler: async (p, call) => {
        await deletePackages(server, call.account, p['package-name']);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-packages', {
      summary: "Lists the account's packages, n after previous",
      params: v.object({ account, ...paging }),
      handler: async (p, call) => ({
        result: ResultCode.Ok,
        packages: (await listPackages(db, call.account, p)).map(packageObject),
      }),
    }),
    method('exodm:add-package-to-device-type', {
      summary: 'Allows packages on a device type (manual §5.5 item 4), with the arguments of their operations',
      params: v.object({ account, 'package-name': idList, 'device-type': idString, ...typeArguments }),
      handler: async (p, call) => {
        const type = await typeOr404(call.account, p['device-type']);
        await packagesOr404(call.account, p['package-name']);
        const args = {
          ...(p['install-arguments'] === undefined ? {} : { install: p['install-arguments'] }),
          ...(p['upgrade-arguments'] === undefined ? {} : { upgrade: p['upgrade-arguments'] }),
          ...(p['uninstall-arguments'] === undefined ? {} : { uninstall: p['uninstall-arguments'] }),
        };
        await db.transaction(async (tx) => {
          for (const name of p['package-name']) {
            await allowPackage(tx, call.account, {
              type: type.name,
              typeCreated: type.createdAt,
              package: name,
              arguments: args,
            });
          }
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-package-from-device-type', {
      summary: "Takes packages off a device type's allowed list (installed ones stay installed)",
      params: v.object({ account, 'package-name': idList, 'device-type': idString }),
      handler: async (p, call) => {
        const type = await typeOr404(call.account, p['device-type']);
        const allowed = new Set(await packagesOfType(db, call.account, type));
        const missing = p['package-name'].filter((name) => !allowed.has(name));
        if (missing.length > 0) fail(ResultCode.ObjectNotFound, `${missing.join(', ')} not allowed on ${type.name}`);
        await db.transaction(async (tx) => {
          for (const name of p['package-name']) {
            await disallowPackage(tx, call.account, { type: type.name, typeCreated: type.createdAt, package: name });
          }
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-packages-on-device-type', {
      summary: 'Lists the packages devices of a type may install',
      params: v.object({ account, 'device-type': idString }),
      handler: async (p, call) => ({
        result: ResultCode.Ok,
        packages: await packagesOfType(db, call.account, await typeOr404(call.account, p['device-type'])),
      }),
    }),
    method('exodm:list-device-types-with-package', {
      summary: 'Lists the device types that allow a package',
      params: v.object({ account, 'package-name': idString }),
      handler: async (p, call) => {
        await packagesOr404(call.account, [p['package-name']]);
        return { result: ResultCode.Ok, 'device-types': await typesWithPackage(db, call.account, p['package-name']) };
      },
    }),
    method('exodm:add-package-members', {
      summary: '1.x: makes devices members of packages, the devices push-package acts on',
      params: v.object({ account, 'package-name': idList, 'device-id': idList }),
      handler: async (p, call) => {
        await packagesOr404(call.account, p['package-name']);
        for (const id of p['device-id']) {
          if ((await findDevice(db, call.account, id)) === undefined)
            fail(ResultCode.DeviceNotFound, `${id} names no device`);
        }
        await db.transaction(async (tx) => {
          for (const name of p['package-name'])
            for (const id of p['device-id']) await addPackageMember(tx, call.account, name, id);
        });
        return { result: ResultCode.Ok };
      },
    }),
    ...operationMethods(server),
    updatePackageConfig(server),
  ];
}
