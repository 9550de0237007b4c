import * as v from 'valibot';
import { queueName, type ServerContext } from '../context.ts';
import { modulesOf } from '../modules.ts';
import { fail, ResultCode } from '../result-code.ts';
import {
  type Area,
  findTarget,
  latestValues,
  mergePatch,
  type Owner,
  readArea,
  stagedModules,
  takeStaged,
  type Values,
  writeStaged,
} from '../store/config.ts';
import { countSetPushMember, openSetPush } from '../store/config-pushes.ts';
import {
  addConfigSetMember,
  configSetMembers,
  deleteConfigSet,
  deviceUrls,
  findConfigSet,
  insertConfigSet,
  listConfigSets,
  removeConfigSetMember,
  removeDeviceUrl,
  setConfigSetUrl,
  setDeviceUrl,
} from '../store/config-sets.ts';
import { nextValue } from '../store/counters.ts';
import { findModule } from '../store/modules.ts';
import { bareValues, type ConfigPayload, checkValues, finishSetPush } from './config-data.ts';
import { type Call, method, type ServerMethod } from './method.ts';
import { pageClause, paging } from './paging.ts';
import { idList, idString, jsonObject, notificationUrl } from './params.ts';

/** The tag of a config set push's transactions: their callbacks are `exodm:push-config-set-callback` (docs/sources.md, the real exodm server item 1). */
export const PUSH_CONFIG_SET = 'exodm:push-config-set';

const values = jsonObject;

function ownerOf(call: Call, name: string): Owner {
  return { account: call.account, scope: 'config-set', id: name };
}

async function existingSet(server: ServerContext, call: Call, name: string) {
  const set = await findConfigSet(server.db, call.account, name);
  if (set === undefined) fail(ResultCode.ObjectNotFound, `config set ${name} does not exist`);
  return set;
}

async function requireDevice(server: ServerContext, call: Call, device: string): Promise<void> {
  if ((await findTarget(server.db, call.account, device)) !== 'device') {
    fail(ResultCode.DeviceNotFound, `device ${device} does not exist`);
  }
}

/** Validates and stages values of a set over what it holds (`update-config-set` merges, as `update-config-data`). */
async function stageSetValues(server: ServerContext, call: Call, name: string, module: string, given: Values) {
  const compiled = await modulesOf(server).compiled(call.account, module);
  if (compiled === undefined) fail(ResultCode.ObjectNotFound, `yang module ${module} does not exist`);
  const owner = ownerOf(call, name);
  const staged = mergePatch((await latestValues(server.db, owner, module)) ?? {}, bareValues(module, given)) as Values;
  await checkValues(compiled, staged);
  await writeStaged(server.db, owner, module, staged, server.clock.now());
}

/** 1.x configuration sets (docs/sources.md, the real exodm server item 1, Table 2 rows; deprecated by 2.x configuration data). */
export function configSetMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  return [
    method('exodm:create-config-set', {
      summary: 'Creates a configuration set over an uploaded YANG module, with optional initial values',
      params: v.object({
        account: v.optional(idString),
        name: idString,
        yang: idString,
        'notification-url': v.optional(notificationUrl),
        values: v.optional(values),
      }),
      handler: async (p, call) => {
        const file =
          (await findModule(db, call.account, 'account', p.yang)) ??
          (await findModule(db, call.account, 'system', p.yang));
        if (file === undefined) fail(ResultCode.ObjectNotFound, `yang module ${p.yang} does not exist`);
        if ((await modulesOf(server).compiled(call.account, file.module)) === undefined) {
          fail(ResultCode.ValidationFailed, `${p.yang} is a submodule`);
        }
        if (await findConfigSet(db, call.account, p.name)) fail(ResultCode.ObjectExists, `config set ${p.name} exists`);
        if (p.values !== undefined) await stageSetValues(server, call, p.name, file.module, p.values);
        const created = await insertConfigSet(
          db,
          call.account,
          { name: p.name, yang: p.yang, module: file.module, notificationUrl: p['notification-url'] },
          server.clock.now(),
        );
        if (!created) fail(ResultCode.ObjectExists, `config set ${p.name} exists`);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:update-config-set', {
      summary: "Changes a set's notification URL and stages values over its current ones",
      params: v.object({
        account: v.optional(idString),
        name: idString,
        'notification-url': v.optional(notificationUrl),
        values: v.optional(values),
      }),
      handler: async (p, call) => {
        const set = await existingSet(server, call, p.name);
        if (p.values !== undefined) await stageSetValues(server, call, p.name, set.module, p.values);
        if (p['notification-url'] !== undefined) await setConfigSetUrl(db, call.account, p.name, p['notification-url']);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-config-set', {
      summary: 'Deletes a configuration set, its memberships and its data',
      params: v.object({ account: v.optional(idString), name: idString }),
      handler: async (p, call) => {
        await existingSet(server, call, p.name);
        await deleteConfigSet(db, call.account, p.name);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-config-sets', {
      summary: 'Configuration sets, n after previous; those of one device when device-id is given',
      params: v.object({ account: v.optional(idString), ...paging, 'device-id': v.optional(idString) }),
      handler: async (p, call) => {
        const column = p['device-id'] === undefined ? 'name' : 's.name';
        const sets = await listConfigSets(
          db,
          call.account,
          p['device-id'],
          pageClause(column, p, p['device-id'] === undefined ? 2 : 3),
        );
        return {
          result: ResultCode.Ok,
          'config-sets': sets.map((s) => ({
            name: s.name,
            yang: s.yang,
            ...(s.notificationUrl === undefined ? {} : { 'notification-url': s.notificationUrl }),
          })),
        };
      },
    }),
    method('exodm:list-config-set-members', {
      summary: 'Member devices of a configuration set, n after previous',
      params: v.object({ account: v.optional(idString), name: idString, ...paging }),
      handler: async (p, call) => {
        await existingSet(server, call, p.name);
        const members = await configSetMembers(db, call.account, p.name, pageClause('device_id', p, 3));
        return { result: ResultCode.Ok, 'config-set-members': members };
      },
    }),
    method('exodm:add-config-set-members', {
      summary: 'Makes devices members of configuration sets',
      params: v.object({ account: v.optional(idString), name: idList, 'device-id': idList }),
      handler: async (p, call) => {
        for (const name of p.name) await existingSet(server, call, name);
        for (const device of p['device-id']) await requireDevice(server, call, device);
        for (const name of p.name) {
          for (const device of p['device-id']) await addConfigSetMember(db, call.account, name, device);
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-config-set-members', {
      summary: 'Removes devices from configuration sets',
      params: v.object({ account: v.optional(idString), name: idList, 'device-id': idList }),
      handler: async (p, call) => {
        for (const name of p.name) await existingSet(server, call, name);
        for (const name of p.name) {
          for (const device of p['device-id']) await removeConfigSetMember(db, call.account, name, device);
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:read-config-set-data', {
      summary: "A configuration set's values in one area: staged, pending or installed",
      params: v.object({
        account: v.optional(idString),
        name: idString,
        area: v.optional(v.picklist(['staged', 'pending', 'installed']), 'installed'),
      }),
      handler: async (p, call) => {
        const set = await existingSet(server, call, p.name);
        const found = await readArea(db, ownerOf(call, p.name), set.module, p.area as Area);
        return { result: ResultCode.Ok, values: found ?? {} };
      },
    }),
    method('exodm:push-config-set', {
      summary: "Queues the set's values for every member device, one transaction each (manual §8.3)",
      params: v.object({ account: v.optional(idString), name: idString }),
      handler: async (p, call) => {
        const set = await existingSet(server, call, p.name);
        const owner = ownerOf(call, p.name);
        // the real server pushes the set's values whether or not they changed since the last push
        if (!(await stagedModules(db, owner)).includes(set.module)) {
          const current = (await latestValues(db, owner, set.module)) ?? {};
          await writeStaged(db, owner, set.module, current, server.clock.now());
        }
        const pushId = await nextValue(db, call.account, 'config-push');
        const taken = await takeStaged(db, owner, pushId, server.clock.now());
        const members = await configSetMembers(db, call.account, p.name);
        await openSetPush(db, call.account, p.name, pushId, members.length);
        if (members.length === 0) {
          await finishSetPush(server, owner, pushId, true);
          return { result: ResultCode.Ok };
        }
        const payload: ConfigPayload = { 'push-id': pushId, 'config-set': p.name, updates: taken };
        let failure: unknown;
        for (const device of members) {
          try {
            const url = (await deviceUrls(db, call.account, device)).get(p.name) ?? set.notificationUrl;
            await server.queue.enqueue({
              target: { device: queueName(call.account, device) },
              kind: 'config',
              payload,
              timeoutMs: server.settings.defaultTimeoutMs,
              ...(url === undefined ? {} : { notify: url }),
              tag: PUSH_CONFIG_SET,
            });
          } catch (error) {
            // the push waits for no transaction that was never queued
            failure ??= error;
            const counts = await countSetPushMember(db, {
              account: call.account,
              set: p.name,
              pushId,
              device,
              complete: false,
            });
            if (counts?.waiting === 0) await finishSetPush(server, owner, pushId, false);
          }
        }
        if (failure !== undefined) throw failure;
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:add-notification-urls', {
      summary: "Sets a device's own notification URL per configuration set",
      params: v.object({
        account: v.optional(idString),
        'device-id': idString,
        urls: v.array(v.object({ 'config-set': idString, 'notification-url': notificationUrl })),
      }),
      handler: async (p, call) => {
        await requireDevice(server, call, p['device-id']);
        for (const entry of p.urls) await existingSet(server, call, entry['config-set']);
        for (const entry of p.urls) {
          await setDeviceUrl(db, call.account, p['device-id'], entry['config-set'], entry['notification-url']);
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-notification-urls', {
      summary: "Removes a device's own notification URLs of configuration sets (1.x delete-notification-urls)",
      params: v.object({ account: v.optional(idString), 'device-id': idString, 'config-sets': idList }),
      handler: async (p, call) => {
        await requireDevice(server, call, p['device-id']);
        for (const set of p['config-sets']) await removeDeviceUrl(db, call.account, p['device-id'], set);
        return { result: ResultCode.Ok };
      },
    }),
  ];
}
