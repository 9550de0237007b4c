import * as v from 'valibot';
import { bareValues, pushStaged, stagedUpdate } from '../api/config-data.ts';
import { method, type ServerMethod } from '../api/method.ts';
import { idString, jsonObject } from '../api/params.ts';
import type { ServerContext } from '../context.ts';
import { acceptedReceipt } from '../modules/std-request.ts';
import { modulesOf } from '../modules.ts';
import { fail, ResultCode } from '../result-code.ts';
import { type Owner, type Values, writeStaged } from '../store/config.ts';
import { findPackage } from '../store/packages.ts';
import { PackageNotInstalled, type WithoutPackage, withoutPackage } from './installed.ts';
import { requestParams, targetIds } from './operation-methods.ts';
import { type PlanTarget, resolveTarget } from './plan.ts';
import { checkTransfer } from './plan-checks.ts';

/** The tag of update-package-config's transactions: its callbacks are `exodm:update-package-config-callback`. */
export const UPDATE_PACKAGE_CONFIG = 'exodm:update-package-config';

/**
 * 2.x `update-package-config` (docs/sources.md, the real exodm server item 1;
 * manual §7.1): new values of a package's configuration for devices and
 * groups that have it installed, each target's update pushed at once as a
 * configuration transaction, through the same stages as
 * update-config-data and push-config-data.
 */
export function updatePackageConfig(server: ServerContext): ServerMethod {
  return method(UPDATE_PACKAGE_CONFIG, {
    summary:
      "Updates the configuration of a package's module on devices and groups that have it installed, pushed at once",
    params: v.object({ ...requestParams, 'package-name': idString, values: jsonObject }),
    handler: async (p, call) => {
      const name = p['package-name'];
      const record =
        (await findPackage(server.db, call.account, name)) ??
        fail(ResultCode.ObjectNotFound, `package ${name} does not exist`);
      if (record.module === undefined) {
        fail(ResultCode.ValidationFailed, `package ${name} has no yang-specification, so no configuration`);
      }
      const compiled =
        (await modulesOf(server).compiled(call.account, record.module)) ??
        fail(ResultCode.ObjectNotFound, `yang module ${record.module} of package ${name} does not exist`);
      const given = bareValues(compiled.module, p.values);
      const container = record.configContainer;
      const outside = Object.keys(given).filter((key) => container !== undefined && key !== container);
      if (outside.length > 0) {
        fail(
          ResultCode.ValidationFailed,
          `values: ${outside.join(', ')} is not ${container}, the configuration-container of package ${name}`,
        );
      }
      // every target is checked, and every refusal made, before anything is staged or queued
      const targets: { readonly target: PlanTarget; readonly owner: Owner; readonly staged: Values }[] = [];
      const without = new Map<string, WithoutPackage>();
      for (const id of targetIds(p)) {
        const target = await resolveTarget(server, call.account, id);
        await checkTransfer(server, call.account, target);
        for (const lacking of await withoutPackage(server, call.account, target, [name]))
          without.set(lacking.deviceId, lacking);
        const owner: Owner = { account: call.account, scope: 'target', id };
        targets.push({ target, owner, staged: await stagedUpdate(server, owner, compiled, given) });
      }
      if (without.size > 0) {
        throw new PackageNotInstalled(`${UPDATE_PACKAGE_CONFIG} of ${name}`, [name], [...without.values()]);
      }
      const queued: { readonly id: string; readonly transactionId: number }[] = [];
      for (const { target, owner, staged } of targets) {
        await writeStaged(server.db, owner, compiled.module, staged, server.clock.now());
        const transactionId = await pushStaged(
          server,
          call.account,
          { id: target.id, kind: target.kind },
          {
            timeoutMs: p.timeout ?? server.settings.defaultTimeoutMs,
            notify: p['rpc-destination-url'] ?? p['notification-url'],
            clientId: undefined,
            tag: UPDATE_PACKAGE_CONFIG,
          },
        );
        queued.push({ id: target.id, transactionId });
      }
      return {
        result: ResultCode.Ok,
        ...acceptedReceipt(String(queued[queued.length - 1]!.transactionId)),
        transactions: queued.map((q) => ({
          'device-id': q.id,
          'package-name': name,
          'transaction-id': String(q.transactionId),
        })),
      };
    },
  });
}
