import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { readJson } from './json.ts';
import { addTables } from './schema.ts';

addTables(
  // manual §7.1: per target (device or group) × module, or per 1.x config set, the areas a change goes through
  `CREATE TABLE IF NOT EXISTS srv_config_data (
    account TEXT NOT NULL,
    scope TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    module TEXT NOT NULL,
    area TEXT NOT NULL,
    push_id BIGINT NOT NULL,
    vals TEXT NOT NULL,
    installed_from BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, scope, owner_id, module, area, push_id)
  )`,
);

/** Whose configuration data a row is: a device or group (one id space, manual §5.8), or a 1.x config set. */
export type Scope = 'target' | 'config-set';

/** The areas of manual §7.1 / docs/sources.md, the real exodm server item 2: staged by updates, pending once pushed, installed once acknowledged. */
export type Area = 'staged' | 'pending' | 'installed';

/** Names one owner's data: `account` first, as on every account object. */
export interface Owner {
  readonly account: string;
  readonly scope: Scope;
  readonly id: string;
}

/** A JSON object of configuration values (RFC 7951 members, top level unqualified). */
export type Values = Record<string, unknown>;

function isObject(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * RFC 7396 JSON Merge Patch: objects merge member by member, `null`
 * removes a member, anything else replaces. Applied to a target's own
 * values it is an update; applied to group defaults with a device's own
 * values (which hold no `null`) it is the per-leaf override of §5.8.
 */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Values = isObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** What an account's id names: a device, a group, or nothing. */
export async function findTarget(
  db: SqlExecutor,
  account: string,
  id: string,
): Promise<'device' | 'group' | undefined> {
  const rows = await db.query<{ kind: string }>(
    `SELECT 'device' AS kind FROM srv_devices WHERE account = $1 AND device_id = $2
     UNION ALL SELECT 'group' AS kind FROM srv_groups WHERE account = $1 AND group_id = $2`,
    [account, id],
  );
  const kind = rows[0]?.kind;
  return kind === 'device' || kind === 'group' ? kind : undefined;
}

/** The groups a device is in, in the order it joined them: later groups' defaults win (manual §5.8). */
export async function groupsOf(db: SqlExecutor, account: string, device: string): Promise<string[]> {
  const rows = await db.query<{ group_id: string }>(
    'SELECT group_id FROM srv_group_members WHERE account = $1 AND device_id = $2 ORDER BY added_seq, group_id',
    [account, device],
  );
  return rows.map((row) => row.group_id);
}

/** An owner's values of one module in one area (the newest push's, for `pending`); undefined when none. */
export async function readArea(db: SqlExecutor, owner: Owner, module: string, area: Area): Promise<Values | undefined> {
  const rows = await db.query<{ vals: string }>(
    `SELECT vals FROM srv_config_data
     WHERE account = $1 AND scope = $2 AND owner_id = $3 AND module = $4 AND area = $5
     ORDER BY push_id DESC LIMIT 1`,
    [owner.account, owner.scope, owner.id, module, area],
  );
  return rows[0] === undefined ? undefined : readJson<Values>(rows[0].vals, {});
}

/** The values the owner's next update builds on: staged, else the newest pending, else installed. */
export async function latestValues(db: SqlExecutor, owner: Owner, module: string): Promise<Values | undefined> {
  return (
    (await readArea(db, owner, module, 'staged')) ??
    (await readArea(db, owner, module, 'pending')) ??
    (await readArea(db, owner, module, 'installed'))
  );
}

/** The values last sent or being sent: the newest pending, else installed (what a member inherits from a group). */
export async function committedValues(db: SqlExecutor, owner: Owner, module: string): Promise<Values | undefined> {
  return (await readArea(db, owner, module, 'pending')) ?? (await readArea(db, owner, module, 'installed'));
}

/** Replaces the owner's staged values of a module. */
export async function writeStaged(
  db: SqlExecutor,
  owner: Owner,
  module: string,
  values: Values,
  now: number,
): Promise<void> {
  await db.run(
    `INSERT INTO srv_config_data (account, scope, owner_id, module, area, push_id, vals, installed_from, updated_at)
     VALUES ($1, $2, $3, $4, 'staged', 0, $5, 0, $6)
     ON CONFLICT (account, scope, owner_id, module, area, push_id) DO UPDATE SET
       vals = excluded.vals, updated_at = excluded.updated_at`,
    [owner.account, owner.scope, owner.id, module, JSON.stringify(values), now],
  );
}

/** The modules an owner has staged values of, in name order. */
export async function stagedModules(db: SqlExecutor, owner: Owner): Promise<string[]> {
  const rows = await db.query<{ module: string }>(
    `SELECT module FROM srv_config_data WHERE account = $1 AND scope = $2 AND owner_id = $3 AND area = 'staged'
     ORDER BY module`,
    [owner.account, owner.scope, owner.id],
  );
  return rows.map((row) => row.module);
}

/**
 * Moves every staged module of the owner to pending under `pushId` in one
 * statement and returns what moved: two pushes racing each take disjoint
 * updates, and what a push sends is exactly what it made pending.
 */
export async function takeStaged(
  db: SqlExecutor,
  owner: Owner,
  pushId: number,
  now: number,
): Promise<{ readonly module: string; readonly values: Values }[]> {
  const rows = await db.query<{ module: string; vals: string }>(
    `UPDATE srv_config_data SET area = 'pending', push_id = $4, updated_at = $5
     WHERE account = $1 AND scope = $2 AND owner_id = $3 AND area = 'staged'
     RETURNING module, vals`,
    [owner.account, owner.scope, owner.id, pushId, now],
  );
  return rows
    .map((row) => ({ module: row.module, values: readJson<Values>(row.vals, {}) }))
    .sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
}

/**
 * A push was acknowledged complete: its pending values become installed,
 * unless a later push was installed first (acks need not come in order).
 */
export async function installPush(db: SqlDriver, owner: Owner, pushId: number, now: number): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await pendingOf(tx, owner, pushId);
    for (const row of rows) {
      await tx.run(
        `INSERT INTO srv_config_data (account, scope, owner_id, module, area, push_id, vals, installed_from, updated_at)
         VALUES ($1, $2, $3, $4, 'installed', 0, $5, $6, $7)
         ON CONFLICT (account, scope, owner_id, module, area, push_id) DO UPDATE SET
           vals = excluded.vals, installed_from = excluded.installed_from, updated_at = excluded.updated_at
         WHERE srv_config_data.installed_from < excluded.installed_from`,
        [owner.account, owner.scope, owner.id, row.module, row.vals, pushId, now],
      );
    }
    await deletePending(tx, owner, pushId);
  });
}

/**
 * A push failed, timed out or was cancelled: nothing of it was installed
 * (manual §7.2: a transaction completes or fails in whole). Its values go
 * back to staged for a module nothing newer was staged or pushed for, so a
 * second push retries them; otherwise the newer values already hold them.
 */
export async function restorePush(db: SqlDriver, owner: Owner, pushId: number, now: number): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await pendingOf(tx, owner, pushId);
    for (const row of rows) {
      const newer = await tx.query(
        `SELECT 1 FROM srv_config_data
         WHERE account = $1 AND scope = $2 AND owner_id = $3 AND module = $4
           AND (area = 'staged' OR (area = 'pending' AND push_id > $5))
         LIMIT 1`,
        [owner.account, owner.scope, owner.id, row.module, pushId],
      );
      if (newer.length === 0) await writeStaged(tx, owner, row.module, readJson<Values>(row.vals, {}), now);
    }
    await deletePending(tx, owner, pushId);
  });
}

async function pendingOf(db: SqlExecutor, owner: Owner, pushId: number): Promise<{ module: string; vals: string }[]> {
  return db.query<{ module: string; vals: string }>(
    `SELECT module, vals FROM srv_config_data
     WHERE account = $1 AND scope = $2 AND owner_id = $3 AND area = 'pending' AND push_id = $4`,
    [owner.account, owner.scope, owner.id, pushId],
  );
}

async function deletePending(db: SqlExecutor, owner: Owner, pushId: number): Promise<void> {
  await db.run(
    `DELETE FROM srv_config_data
     WHERE account = $1 AND scope = $2 AND owner_id = $3 AND area = 'pending' AND push_id = $4`,
    [owner.account, owner.scope, owner.id, pushId],
  );
}

/** Deletes every area of an owner (a config set that goes). */
export async function deleteOwnerData(db: SqlExecutor, owner: Owner): Promise<void> {
  await db.run('DELETE FROM srv_config_data WHERE account = $1 AND scope = $2 AND owner_id = $3', [
    owner.account,
    owner.scope,
    owner.id,
  ]);
}
