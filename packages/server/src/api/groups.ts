import * as v from 'valibot';
import { queueName, type ServerContext } from '../context.ts';
import { checkDestination } from '../destinations.ts';
import { fail, ResultCode } from '../result-code.ts';
import { forgetTargetConfig } from '../store/config-sets.ts';
import { claimId, findDevice, lockDevices, releaseId } from '../store/devices.ts';
import {
  addMembers,
  type DeviceGroup,
  deleteGroup,
  findGroup,
  fixGroupType,
  insertGroup,
  listGroupMembers,
  listGroups,
  listGroupsOfDevice,
  lockGroup,
  releaseEmptyGroupTypes,
  removeMembers,
  setGroupUrl,
} from '../store/groups.ts';
import { objectId, objectIds } from './device-params.ts';
import { cancelOpen } from './devices.ts';
import { method, type ServerMethod } from './method.ts';
import { paging } from './paging.ts';
import { account, notificationUrl } from './params.ts';

/**
 * Names one group: 1.x `group-id` (the id create-device-group gave from
 * `name`) or 2.x `group-name`, which are the same string.
 */
const oneGroup = {
  'group-id': v.optional(objectId),
  'group-name': v.optional(objectId),
};

const NAME_THE_GROUP = 'name the group with group-id or group-name';

function groupIdOf(p: {
  readonly 'group-id'?: string | undefined;
  readonly 'group-name'?: string | undefined;
}): string {
  const id = p['group-id'] ?? p['group-name'];
  if (id === undefined) return fail(ResultCode.MissingOption, NAME_THE_GROUP);
  if (p['group-name'] !== undefined && p['group-name'] !== id) {
    fail(ResultCode.ValidationFailed, 'group-id and group-name name different groups');
  }
  return id;
}

/** The groups a membership change names (1.x `group-id` list, 2.x `group-name`), in lock order. */
function namedGroups(p: {
  readonly 'group-id'?: string[] | undefined;
  readonly 'group-name'?: string | undefined;
}): string[] {
  const named = [...(p['group-id'] ?? []), ...(p['group-name'] === undefined ? [] : [p['group-name']])];
  return [...new Set(named)].sort();
}

function groupObject(group: DeviceGroup): Record<string, unknown> {
  const object: Record<string, unknown> = { 'group-id': group.groupId, 'group-name': group.groupId };
  if (group.notificationUrl !== undefined) object['notification-url'] = group.notificationUrl;
  return object;
}

/** Device groups and their members (manual §5.8; docs/sources.md, the real exodm server item 1 device-group methods, 1.x and 2.x shapes). */
export function groupMethods(server: ServerContext): ServerMethod[] {
  const { db, queue } = server;
  return [
    method('exodm:create-device-group', {
      summary: 'Creates a device group; its id (1.x name, 2.x group-name) is unique among the devices and groups',
      params: v.pipe(
        v.object({
          account,
          name: v.optional(objectId),
          ...oneGroup,
          'notification-url': v.optional(notificationUrl),
        }),
        v.forward(
          v.check(
            (p) => p.name !== undefined || p['group-name'] !== undefined || p['group-id'] !== undefined,
            'name the group with name or group-name',
          ),
          ['group-name'],
        ),
        // the 1.x create-device-group declares the URL mandatory; 2.x (manual §5.8) makes it optional
        v.forward(
          v.check(
            (p) => p.name === undefined || p['notification-url'] !== undefined,
            'a 1.x create-device-group (name) needs a notification-url',
          ),
          ['notification-url'],
        ),
      ),
      handler: async (p, call) => {
        const names = new Set([p.name, p['group-name'], p['group-id']].filter((id) => id !== undefined));
        if (names.size !== 1) fail(ResultCode.ValidationFailed, 'name, group-name and group-id name different groups');
        const [groupId] = [...names] as [string];
        if (p['notification-url'] !== undefined) await checkDestination(server, p['notification-url']);
        await db.transaction(async (tx) => {
          if (!(await claimId(tx, call.account, { id: groupId, kind: 'group' }))) {
            fail(ResultCode.ObjectExists, `${groupId} already names a device or group of the account`);
          }
          await insertGroup(tx, call.account, {
            groupId,
            notificationUrl: p['notification-url'],
            createdAt: server.clock.now(),
          });
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:update-device-group', {
      summary: "Changes a group's notification URL",
      params: v.pipe(
        v.object({ account, ...oneGroup, 'notification-url': notificationUrl }),
        v.forward(
          v.check((p) => p['group-id'] !== undefined || p['group-name'] !== undefined, NAME_THE_GROUP),
          ['group-id'],
        ),
      ),
      handler: async (p, call) => {
        const groupId = groupIdOf(p);
        await checkDestination(server, p['notification-url']);
        if (!(await setGroupUrl(db, call.account, { groupId, notificationUrl: p['notification-url'] }))) {
          fail(ResultCode.ObjectNotFound, `group ${groupId} does not exist`);
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-device-group', {
      summary: 'Deletes a group: its members leave it, its configuration goes and its open transactions are cancelled',
      params: v.pipe(
        v.object({ account, ...oneGroup }),
        v.forward(
          v.check((p) => p['group-id'] !== undefined || p['group-name'] !== undefined, NAME_THE_GROUP),
          ['group-id'],
        ),
      ),
      handler: async (p, call) => {
        const groupId = groupIdOf(p);
        const members = await db.transaction(async (tx) => {
          const former =
            (await deleteGroup(tx, call.account, groupId)) ??
            fail(ResultCode.ObjectNotFound, `group ${groupId} does not exist`);
          await releaseId(tx, call.account, groupId);
          return former;
        });
        const group = queueName(call.account, groupId);
        // cancel first: once every member has left, an open group transaction would count as complete
        await cancelOpen(server, { group });
        for (const device of members) await queue.memberLeft(group, queueName(call.account, device));
        await forgetTargetConfig(db, call.account, groupId);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-device-groups', {
      summary: 'Lists groups, n after previous; with device-id, the groups of that device and its primary mark',
      params: v.object({ account, ...paging, 'device-id': v.optional(objectId) }),
      handler: async (p, call) => {
        const deviceId = p['device-id'];
        if (deviceId === undefined) {
          return { result: ResultCode.Ok, 'device-groups': (await listGroups(db, call.account, p)).map(groupObject) };
        }
        if ((await findDevice(db, call.account, deviceId)) === undefined) {
          fail(ResultCode.ObjectNotFound, `device ${deviceId} does not exist`);
        }
        const groups = await listGroupsOfDevice(db, call.account, { ...p, deviceId });
        return {
          result: ResultCode.Ok,
          'device-groups': groups.map((group) => ({ ...groupObject(group), primary: group.primary })),
        };
      },
    }),
    method('exodm:list-device-group-members', {
      summary: 'Lists the members of a group, n after previous (1.x ids and 2.x device objects)',
      params: v.pipe(
        v.object({ account, ...oneGroup, ...paging }),
        v.forward(
          v.check((p) => p['group-id'] !== undefined || p['group-name'] !== undefined, NAME_THE_GROUP),
          ['group-id'],
        ),
      ),
      handler: async (p, call) => {
        const groupId = groupIdOf(p);
        if ((await findGroup(db, call.account, groupId)) === undefined) {
          fail(ResultCode.ObjectNotFound, `group ${groupId} does not exist`);
        }
        const members = await listGroupMembers(db, call.account, { ...p, groupId });
        return {
          result: ResultCode.Ok,
          'device-group-members': members.map((member) => member.deviceId),
          devices: members.map((member) => ({ 'device-id': member.deviceId, primary: member.primary })),
        };
      },
    }),
    method('exodm:add-device-group-members', {
      summary: 'Adds devices to groups; all members of a group share one device type, primary marks one group',
      params: v.pipe(
        v.object({
          account,
          'group-id': v.optional(objectIds),
          'group-name': v.optional(objectId),
          'device-id': objectIds,
          primary: v.optional(v.boolean(), false),
        }),
        v.forward(
          v.check((p) => p['group-id'] !== undefined || p['group-name'] !== undefined, NAME_THE_GROUP),
          ['group-id'],
        ),
      ),
      handler: async (p, call) => {
        const groupIds = namedGroups(p);
        const deviceIds = p['device-id'];
        if (p.primary && groupIds.length > 1) {
          fail(ResultCode.ValidationFailed, 'primary marks one group: name a single group');
        }
        const joined = await db.transaction(async (tx) => {
          const groups = [];
          for (const groupId of groupIds) {
            groups.push(
              (await lockGroup(tx, call.account, groupId)) ??
                fail(ResultCode.ObjectNotFound, `group ${groupId} does not exist`),
            );
          }
          const devices = await lockDevices(tx, call.account, deviceIds);
          const missing = deviceIds.find((id) => !devices.has(id));
          if (missing !== undefined) fail(ResultCode.ObjectNotFound, `device ${missing} does not exist`);
          const pairs: { group: string; device: string }[] = [];
          for (const group of groups) {
            // manual §5.8: the first member's type is the group's; every later member must share it
            const deviceType = group.deviceType ?? devices.get(deviceIds[0]!)!.deviceType;
            const odd = deviceIds.find((id) => devices.get(id)!.deviceType !== deviceType);
            if (odd !== undefined || !(await fixGroupType(tx, call.account, { groupId: group.groupId, deviceType }))) {
              fail(
                ResultCode.ValidationFailed,
                `group ${group.groupId} holds devices of type ${deviceType}; ${odd ?? 'a device'} is of another type`,
              );
            }
            const added = await addMembers(tx, call.account, { groupId: group.groupId, deviceIds, primary: p.primary });
            for (const device of added) pairs.push({ group: group.groupId, device });
          }
          return pairs;
        });
        for (const { group, device } of joined) {
          await queue.memberJoined(queueName(call.account, group), queueName(call.account, device));
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-device-group-members', {
      summary: 'Removes devices from groups; devices that were not members are left as they were',
      params: v.pipe(
        v.object({
          account,
          'group-id': v.optional(objectIds),
          'group-name': v.optional(objectId),
          'device-id': objectIds,
        }),
        v.forward(
          v.check((p) => p['group-id'] !== undefined || p['group-name'] !== undefined, NAME_THE_GROUP),
          ['group-id'],
        ),
      ),
      handler: async (p, call) => {
        const groupIds = namedGroups(p);
        const deviceIds = p['device-id'];
        const left = await db.transaction(async (tx) => {
          for (const groupId of groupIds) {
            if ((await lockGroup(tx, call.account, groupId)) === undefined) {
              fail(ResultCode.ObjectNotFound, `group ${groupId} does not exist`);
            }
          }
          const devices = await lockDevices(tx, call.account, deviceIds);
          const missing = deviceIds.find((id) => !devices.has(id));
          if (missing !== undefined) fail(ResultCode.ObjectNotFound, `device ${missing} does not exist`);
          const pairs: { group: string; device: string }[] = [];
          for (const groupId of groupIds) {
            for (const device of await removeMembers(tx, call.account, { groupId, deviceIds })) {
              pairs.push({ group: groupId, device });
            }
          }
          await releaseEmptyGroupTypes(tx, call.account, groupIds);
          return pairs;
        });
        for (const { group, device } of left) {
          await queue.memberLeft(queueName(call.account, group), queueName(call.account, device));
        }
        return { result: ResultCode.Ok };
      },
    }),
  ];
}
