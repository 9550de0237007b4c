import * as v from 'valibot';
import { timer } from '../api/config-data.ts';
import { method, type ServerMethod } from '../api/method.ts';
import { pageClause, paging } from '../api/paging.ts';
import { account, idList, idString, jsonObject, notificationUrl } from '../api/params.ts';
import type { ServerContext } from '../context.ts';
import { acceptedReceipt, timerMs } from '../modules/std-request.ts';
import { fail, ResultCode } from '../result-code.ts';
import { packageMembers } from '../store/package-targets.ts';
import { findPackage } from '../store/packages.ts';
import { devicePackage, devicePackages, devicesWithPackage } from './device-store.ts';
import { type Queued, queuePlans } from './operations.ts';
import {
  type PlanTarget,
  planInstall,
  planTransmit,
  planUninstall,
  planUpgrade,
  resolveTarget,
  type TargetPlan,
} from './plan.ts';
import { checkTransfer } from './plan-checks.ts';
import { rolloutsOf } from './rollout-store.ts';
import { deviceStatusObject, rolloutObject } from './views.ts';

/** 2.x `timeout`: a uint32 of seconds (default 604 800, 7 days), or an exosense timer text (`{in 2 hr}`). */
export const seconds = v.pipe(
  v.union([v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(4_294_967_295)), v.string()]),
  v.check((value) => typeof value === 'number' || timerMs(value) !== undefined, 'seconds, or a timer: {in <n> <unit>}'),
  v.transform((value) => (typeof value === 'number' ? value * 1000 : (timerMs(value) as number))),
);

const percent = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100));

/** Where an operation goes and how its callbacks report: the 2.x params with the std-request spellings. */
export const requestParams = {
  account,
  targets: v.optional(idList),
  'device-id': v.optional(idList),
  timeout: v.optional(seconds),
  'rpc-destination-url': v.optional(notificationUrl),
  'notification-url': v.optional(notificationUrl),
};

/** Group rollout rules (fleetkit's): a success threshold and an abort rule, both in percent of the members. */
const rolloutParams = {
  'success-threshold': v.optional(percent),
  'abort-failure-percent': v.optional(percent),
};

export function targetIds(p: { targets?: string[] | undefined; 'device-id'?: string[] | undefined }): string[] {
  const ids = [...new Set([...(p.targets ?? []), ...(p['device-id'] ?? [])])];
  return ids.length > 0 ? ids : fail(ResultCode.MissingOption, 'name the devices or groups in targets (or device-id)');
}

/** The answer to a queued operation: the receipt of its last transaction, and every transaction queued. */
function receipt(queued: readonly Queued[]): Record<string, unknown> {
  const last = queued[queued.length - 1];
  return {
    result: ResultCode.Ok,
    ...(last === undefined ? {} : acceptedReceipt(String(last.transactionId))),
    transactions: queued.map((q) => ({
      'device-id': q.target,
      'package-name': q.package,
      operation: q.operation,
      'transaction-id': String(q.transactionId),
    })),
  };
}

/** Package operations on devices and groups (manual §5.6, §6.4), each a package transaction with callbacks. */
export function operationMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  const plansFor = async (
    accountName: string,
    ids: readonly string[],
    plan: (target: PlanTarget) => Promise<TargetPlan>,
  ): Promise<TargetPlan[]> => {
    const plans: TargetPlan[] = [];
    // every target is planned, and every refusal made, before anything is queued
    for (const id of ids) plans.push(await plan(await resolveTarget(server, accountName, id)));
    return plans;
  };
  const queueOptions = (p: {
    timeout?: number | undefined;
    'rpc-destination-url'?: string | undefined;
    'notification-url'?: string | undefined;
    'success-threshold'?: number | undefined;
    'abort-failure-percent'?: number | undefined;
  }) => ({
    timeoutMs: p.timeout ?? server.settings.defaultTimeoutMs,
    notify: p['rpc-destination-url'] ?? p['notification-url'],
    rollout: { successThreshold: p['success-threshold'], abortPercent: p['abort-failure-percent'] },
  });
  return [
    method('exodm:install-package', {
      summary:
        'Installs a package on devices and groups, its missing dependencies first (recursive-dependency-resolve)',
      params: v.object({
        ...requestParams,
        ...rolloutParams,
        'package-name': idString,
        'recursive-dependency-resolve': v.optional(v.boolean(), false),
        values: v.optional(jsonObject),
      }),
      handler: async (p, call) => {
        const plans = await plansFor(call.account, targetIds(p), (target) =>
          planInstall(server, call.account, target, {
            package: p['package-name'],
            recursive: p['recursive-dependency-resolve'],
            values: p.values,
          }),
        );
        return receipt(await queuePlans(server, call.account, plans, queueOptions(p)));
      },
    }),
    method('exodm:upgrade-package', {
      summary: 'Upgrades devices and groups from one package to another that names it in upgrade-from-packages',
      params: v.object({
        ...requestParams,
        ...rolloutParams,
        'from-package-name': idString,
        'to-package-name': idString,
        'recursive-dependency-resolve': v.optional(v.boolean(), false),
        'remove-unused': v.optional(v.boolean()),
        values: v.optional(jsonObject),
      }),
      handler: async (p, call) => {
        const plans = await plansFor(call.account, targetIds(p), (target) =>
          planUpgrade(server, call.account, target, {
            from: p['from-package-name'],
            to: p['to-package-name'],
            recursive: p['recursive-dependency-resolve'],
            values: p.values,
          }),
        );
        return receipt(await queuePlans(server, call.account, plans, queueOptions(p)));
      },
    }),
    method('exodm:uninstall-package', {
      summary: 'Uninstalls a package; refused while another installed package depends on it, unless recursive',
      params: v.object({
        ...requestParams,
        ...rolloutParams,
        'package-name': idString,
        recursive: v.optional(v.boolean(), false),
        'remove-unused': v.optional(v.boolean(), true),
      }),
      handler: async (p, call) => {
        const plans = await plansFor(call.account, targetIds(p), (target) =>
          planUninstall(server, call.account, target, {
            package: p['package-name'],
            recursive: p.recursive,
            removeUnused: p['remove-unused'],
          }),
        );
        return receipt(await queuePlans(server, call.account, plans, queueOptions(p)));
      },
    }),
    method('exodm:push-package', {
      summary: '1.x: runs an operation of a package on its member devices (add-package-members)',
      params: v.object({
        account,
        'package-name': idString,
        operation: v.picklist(['transmit', 'install', 'upgrade', 'uninstall', 'remove', 'remove-recursively']),
        timeout: v.optional(timer),
        'notification-url': v.optional(notificationUrl),
        'auto-push-dependencies': v.optional(v.boolean(), false),
        'remove-after-operation': v.optional(v.boolean()),
        'replace-queue': v.optional(v.boolean()),
      }),
      handler: async (p, call) => {
        const name = p['package-name'];
        const record =
          (await findPackage(db, call.account, name)) ??
          fail(ResultCode.ObjectNotFound, `package ${name} does not exist`);
        const plans = await plansFor(call.account, await packageMembers(db, call.account, name), async (target) => {
          switch (p.operation) {
            case 'transmit':
              return planTransmit(server, call.account, target, name);
            case 'install':
              return planInstall(server, call.account, target, {
                package: name,
                recursive: p['auto-push-dependencies'],
                values: undefined,
              });
            case 'upgrade': {
              // before the upgrade's source is looked for: an exoport device never has one
              await checkTransfer(server, call.account, target);
              const rows = target.kind === 'device' ? await devicePackages(db, call.account, target.device) : [];
              const from =
                record.upgradeFrom.find((old) => rows.some((row) => row.package === old && row.installed)) ??
                fail(ResultCode.ValidationFailed, `${target.id} has none of ${name}'s upgrade-from-packages installed`);
              return planUpgrade(server, call.account, target, {
                from,
                to: name,
                recursive: p['auto-push-dependencies'],
                values: undefined,
              });
            }
            default:
              return planUninstall(server, call.account, target, {
                package: name,
                recursive: p.operation === 'remove-recursively',
                removeUnused: false,
              });
          }
        });
        const queued = await queuePlans(server, call.account, plans, {
          timeoutMs: p.timeout ?? server.settings.defaultTimeoutMs,
          notify: p['notification-url'],
        });
        return receipt(queued);
      },
    }),
    method('exodm:get-package-status', {
      summary: "A package's state on a device (transfer progress, installed, confirmed) or on a group's members",
      params: v.object({
        account,
        'package-name': idString,
        'device-id': v.optional(idString),
        'group-id': v.optional(idString),
      }),
      handler: async (p, call) => {
        const name = p['package-name'];
        if ((await findPackage(db, call.account, name)) === undefined)
          fail(ResultCode.ObjectNotFound, `package ${name} does not exist`);
        const id =
          p['device-id'] ?? p['group-id'] ?? fail(ResultCode.MissingOption, 'name the device or group in device-id');
        const target = await resolveTarget(server, call.account, id);
        if (target.kind === 'device') {
          return {
            result: ResultCode.Ok,
            ...deviceStatusObject(id, name, await devicePackage(db, call.account, target.device, name)),
          };
        }
        const devices = [];
        for (const member of target.members) {
          devices.push(deviceStatusObject(member.deviceId, name, await devicePackage(db, call.account, member, name)));
        }
        const [rollout] = await rolloutsOf(db, call.account, id, name);
        return {
          result: ResultCode.Ok,
          'device-id': id,
          'group-id': id,
          'package-name': name,
          devices,
          ...(rollout === undefined ? {} : { rollout: rolloutObject(rollout) }),
        };
      },
    }),
    method('exodm:list-devices-with-package', {
      summary: 'Lists the devices a package is installed on or being installed on, n after previous',
      params: v.object({ account, 'package-name': idString, ...paging }),
      handler: async (p, call) => {
        const name = p['package-name'];
        if ((await findPackage(db, call.account, name)) === undefined)
          fail(ResultCode.ObjectNotFound, `package ${name} does not exist`);
        const page = pageClause('p.device_id', p, 3);
        const rows = await devicesWithPackage(db, call.account, { package: name, ...page });
        return {
          result: ResultCode.Ok,
          devices: rows.map((row) => ({
            ...deviceStatusObject(row.deviceId, name, row),
            // the 2.x design reports pending-install or installed here (docs/sources.md, the real exodm server)
            'package-status': row.installed ? 'installed' : 'pending-install',
          })),
        };
      },
    }),
  ];
}
