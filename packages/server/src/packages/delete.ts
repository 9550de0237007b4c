import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { existingPackages } from '../store/packages.ts';

/** The `IN (...)` placeholders of `names`, numbered after `first - 1` parameters. */
function marks(names: readonly string[], first: number): string {
  return names.map((_, index) => `$${index + first}`).join(', ');
}

/** Devices that still exist and have one of `names` installed or an operation of it under way. */
async function devicesHolding(server: ServerContext, account: string, names: readonly string[]) {
  return server.db.query<{ device_id: string; package: string }>(
    `SELECT p.device_id, p.package FROM srv_device_packages p
     WHERE p.account = $1 AND p.package IN (${marks(names, 2)}) AND (p.installed = 1 OR p.op_tx IS NOT NULL)
       AND EXISTS (SELECT 1 FROM srv_devices d WHERE d.account = p.account AND d.device_id = p.device_id
                   AND d.created_at = p.device_created)
     ORDER BY p.package, p.device_id`,
    [account, ...names],
  );
}

/** Packages other than `names` that list one of them as a prerequisite. */
async function packagesNeeding(server: ServerContext, account: string, names: readonly string[]) {
  const rows = await server.db.query<{ name: string; prerequisites: string }>(
    `SELECT name, prerequisites FROM srv_packages WHERE account = $1 AND name NOT IN (${marks(names, 2)})`,
    [account, ...names],
  );
  const deleted = new Set(names);
  return rows
    .filter((row) => (JSON.parse(row.prerequisites) as string[]).some((name) => deleted.has(name)))
    .map((row) => row.name)
    .sort();
}

/**
 * Deletes packages of an account (manual §5.9: exodm_package.yang creates,
 * lists and deletes them): the image, its chunks, the device types' allowances, the 1.x
 * members, rollouts and the device rows of finished operations. Refused,
 * with nothing deleted, while a device has one installed or an operation of
 * it under way, or while another package needs one as a prerequisite. The
 * name is free again afterwards; devices refuse an older image by its
 * manifest's sequence, not by its name.
 */
export async function deletePackages(server: ServerContext, account: string, names: readonly string[]): Promise<void> {
  const found = await existingPackages(server.db, account, names);
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) fail(ResultCode.ObjectNotFound, `package ${missing.join(', ')} does not exist`);
  const holding = await devicesHolding(server, account, names);
  if (holding.length > 0) {
    const held = holding.map((row) => `${row.package} on ${row.device_id}`).join(', ');
    fail(ResultCode.ObjectNotEmpty, `installed or being installed: ${held}; uninstall first`);
  }
  const needing = await packagesNeeding(server, account, names);
  if (needing.length > 0) fail(ResultCode.ObjectNotEmpty, `needed as a prerequisite by ${needing.join(', ')}`);
  await server.db.transaction(async (sql) => {
    const params = [account, ...names];
    const list = marks(names, 2);
    await sql.run(
      `DELETE FROM srv_package_rollout_members WHERE account = $1 AND EXISTS (SELECT 1 FROM srv_package_rollouts r
         WHERE r.account = srv_package_rollout_members.account AND r.group_id = srv_package_rollout_members.group_id
           AND r.tx_id = srv_package_rollout_members.tx_id AND r.package IN (${list}))`,
      params,
    );
    for (const [table, column] of [
      ['srv_package_rollouts', 'package'],
      ['srv_device_packages', 'package'],
      ['srv_package_members', 'package'],
      ['srv_type_packages', 'package'],
      ['srv_package_chunks', 'package'],
      ['srv_packages', 'name'],
    ] as const) {
      await sql.run(`DELETE FROM ${table} WHERE account = $1 AND ${column} IN (${list})`, params);
    }
  });
}
