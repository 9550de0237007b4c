import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { deleteOwnerData } from './config.ts';
import { addTables } from './schema.ts';

addTables(
  `CREATE TABLE IF NOT EXISTS srv_config_sets (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    yang TEXT NOT NULL,
    module TEXT NOT NULL,
    notification_url TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, name)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_config_set_members (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (account, name, device_id)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_config_set_members_device ON srv_config_set_members (account, device_id)',
  // docs/sources.md, the real exodm server item 2: a device's own notification URL per config set, before the set's
  `CREATE TABLE IF NOT EXISTS srv_config_urls (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    config_set TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (account, device_id, config_set)
  )`,
);

/** A 1.x configuration set (docs/sources.md, the real exodm server item 1 `create-config-set`). */
export interface ConfigSet {
  readonly name: string;
  /** The module's file name as uploaded (`rfzone.yang`). */
  readonly yang: string;
  /** The YANG module name the file holds. */
  readonly module: string;
  readonly notificationUrl: string | undefined;
}

type ConfigSetRow = {
  name: string;
  yang: string;
  module: string;
  notification_url: string | null;
};

function configSetOf(row: ConfigSetRow): ConfigSet {
  return { name: row.name, yang: row.yang, module: row.module, notificationUrl: row.notification_url ?? undefined };
}

/** Creates a config set; false when the name is taken. */
export async function insertConfigSet(db: SqlExecutor, account: string, set: ConfigSet, now: number): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO srv_config_sets (account, name, yang, module, notification_url, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account, name) DO NOTHING RETURNING name`,
    [account, set.name, set.yang, set.module, set.notificationUrl ?? null, now],
  );
  return rows.length > 0;
}

export async function findConfigSet(db: SqlExecutor, account: string, name: string): Promise<ConfigSet | undefined> {
  const rows = await db.query<ConfigSetRow>(
    'SELECT name, yang, module, notification_url FROM srv_config_sets WHERE account = $1 AND name = $2',
    [account, name],
  );
  return rows[0] === undefined ? undefined : configSetOf(rows[0]);
}

export async function setConfigSetUrl(db: SqlExecutor, account: string, name: string, url: string): Promise<void> {
  await db.run('UPDATE srv_config_sets SET notification_url = $3 WHERE account = $1 AND name = $2', [
    account,
    name,
    url,
  ]);
}

/** Deletes a config set with its members, device URLs and data. */
export async function deleteConfigSet(db: SqlDriver, account: string, name: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM srv_config_set_members WHERE account = $1 AND name = $2', [account, name]);
    await tx.run('DELETE FROM srv_config_urls WHERE account = $1 AND config_set = $2', [account, name]);
    await tx.run('DELETE FROM srv_config_pushes WHERE account = $1 AND config_set = $2', [account, name]);
    await tx.run('DELETE FROM srv_config_push_acks WHERE account = $1 AND config_set = $2', [account, name]);
    await deleteOwnerData(tx, { account, scope: 'config-set', id: name });
    await tx.run('DELETE FROM srv_config_sets WHERE account = $1 AND name = $2', [account, name]);
  });
}

/** Config sets, n after previous; only those `device` is a member of, when given. */
export async function listConfigSets(
  db: SqlExecutor,
  account: string,
  device: string | undefined,
  page: { readonly sql: string; readonly params: readonly (string | number)[] },
): Promise<ConfigSet[]> {
  const rows =
    device === undefined
      ? await db.query<ConfigSetRow>(
          `SELECT name, yang, module, notification_url FROM srv_config_sets WHERE account = $1 ${page.sql}`,
          [account, ...page.params],
        )
      : await db.query<ConfigSetRow>(
          `SELECT s.name AS name, s.yang AS yang, s.module AS module, s.notification_url AS notification_url
           FROM srv_config_sets s JOIN srv_config_set_members m ON m.account = s.account AND m.name = s.name
           WHERE s.account = $1 AND m.device_id = $2 ${page.sql}`,
          [account, device, ...page.params],
        );
  return rows.map(configSetOf);
}

/** The names of the account's config sets that use a module file. */
export async function configSetsUsing(db: SqlExecutor, account: string, yang: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    'SELECT name FROM srv_config_sets WHERE account = $1 AND yang = $2 ORDER BY name',
    [account, yang],
  );
  return rows.map((row) => row.name);
}

export async function addConfigSetMember(db: SqlExecutor, account: string, name: string, device: string) {
  await db.run(
    `INSERT INTO srv_config_set_members (account, name, device_id) VALUES ($1, $2, $3)
     ON CONFLICT (account, name, device_id) DO NOTHING`,
    [account, name, device],
  );
}

export async function removeConfigSetMember(db: SqlExecutor, account: string, name: string, device: string) {
  await db.run('DELETE FROM srv_config_set_members WHERE account = $1 AND name = $2 AND device_id = $3', [
    account,
    name,
    device,
  ]);
}

/** Member device ids of a config set, paged when a page is given. */
export async function configSetMembers(
  db: SqlExecutor,
  account: string,
  name: string,
  page?: { readonly sql: string; readonly params: readonly (string | number)[] },
): Promise<string[]> {
  const rows = await db.query<{ device_id: string }>(
    `SELECT device_id FROM srv_config_set_members WHERE account = $1 AND name = $2 ${page?.sql ?? 'ORDER BY device_id'}`,
    [account, name, ...(page?.params ?? [])],
  );
  return rows.map((row) => row.device_id);
}

/** Sets a device's own notification URL for a config set. */
export async function setDeviceUrl(db: SqlExecutor, account: string, device: string, set: string, url: string) {
  await db.run(
    `INSERT INTO srv_config_urls (account, device_id, config_set, url) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, device_id, config_set) DO UPDATE SET url = excluded.url`,
    [account, device, set, url],
  );
}

export async function removeDeviceUrl(db: SqlExecutor, account: string, device: string, set: string) {
  await db.run('DELETE FROM srv_config_urls WHERE account = $1 AND device_id = $2 AND config_set = $3', [
    account,
    device,
    set,
  ]);
}

/** A device's own notification URLs per config set. */
export async function deviceUrls(db: SqlExecutor, account: string, device: string): Promise<Map<string, string>> {
  const rows = await db.query<{ config_set: string; url: string }>(
    'SELECT config_set, url FROM srv_config_urls WHERE account = $1 AND device_id = $2',
    [account, device],
  );
  return new Map(rows.map((row) => [row.config_set, row.url]));
}

/**
 * Forgets everything configuration knows of a device or group that is
 * deleted: its data in every area, its config set memberships and its own
 * notification URLs, so a later object with the same id starts clean.
 */
export async function forgetTargetConfig(db: SqlDriver, account: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await deleteOwnerData(tx, { account, scope: 'target', id });
    await tx.run('DELETE FROM srv_config_set_members WHERE account = $1 AND device_id = $2', [account, id]);
    await tx.run('DELETE FROM srv_config_urls WHERE account = $1 AND device_id = $2', [account, id]);
  });
}
