import type { SqlExecutor } from '@fleetkit/core';

/**
 * Writes the configuration data an install creates for the device and the
 * package's module (manual §5.6 item 2, §7.1) as installed, in the config
 * store's table (store/config.ts): `pushId` orders it among that store's
 * installs, so a later push wins and an earlier one does not.
 */
export async function installModuleData(
  db: SqlExecutor,
  account: string,
  data: {
    readonly device: string;
    readonly module: string;
    readonly values: Record<string, unknown>;
    readonly pushId: number;
    readonly now: number;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO srv_config_data (account, scope, owner_id, module, area, push_id, vals, installed_from, updated_at)
     VALUES ($1, 'target', $2, $3, 'installed', 0, $4, $5, $6)
     ON CONFLICT (account, scope, owner_id, module, area, push_id) DO UPDATE SET
       vals = excluded.vals, installed_from = excluded.installed_from, updated_at = excluded.updated_at
     WHERE srv_config_data.installed_from < excluded.installed_from`,
    [account, data.device, data.module, JSON.stringify(data.values), data.pushId, data.now],
  );
}

/** Forgets a device's configuration data of a module in every area (its package was uninstalled). */
export async function forgetModuleData(db: SqlExecutor, account: string, device: string, module: string) {
  await db.run(
    `DELETE FROM srv_config_data WHERE account = $1 AND scope = 'target' AND owner_id = $2 AND module = $3`,
    [account, device, module],
  );
}

/**
 * The packages, of any account, that name the system repository's module
 * `module` and would lose it with it: those of accounts without a module of
 * that name of their own (`account/package`).
 */
export async function packagesUsingSystemModule(db: SqlExecutor, module: string): Promise<string[]> {
  const rows = await db.query<{ account: string; name: string }>(
    `SELECT p.account, p.name FROM srv_packages p
     WHERE p.module = $1 AND NOT EXISTS (
       SELECT 1 FROM srv_yang_modules m WHERE m.account = p.account AND m.module = p.module)
     ORDER BY p.account, p.name`,
    [module],
  );
  return rows.map((row) => `${row.account}/${row.name}`);
}

/**
 * The account's packages whose RPCs and configuration a YANG module
 * specifies (`yang-specification`, manual §5.6 item 2), in name order; an
 * upload still streaming counts, as it names its module already.
 */
export async function packagesUsingModule(db: SqlExecutor, account: string, module: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    'SELECT name FROM srv_packages WHERE account = $1 AND module = $2 ORDER BY name',
    [account, module],
  );
  return rows.map((row) => row.name);
}
