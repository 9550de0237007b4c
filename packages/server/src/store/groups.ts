import type { SqlExecutor } from '@fleetkit/core';
import type { GroupResolver } from '@fleetkit/txqueue';
import { pageClause } from '../api/paging.ts';
import { queueName, splitQueueName } from '../context.ts';
import { nextValue } from './counters.ts';
import type { Page } from './devices.ts';
import { addTables } from './schema.ts';

addTables(
  // device_type: the type of the group's first member, which every later member must share (manual §5.8);
  // NULL while the group is empty
  `CREATE TABLE IF NOT EXISTS srv_groups (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    notification_url TEXT,
    device_type TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, group_id)
  )`,
  // added_seq: the account's membership counter when the device was (last) added, so routing can find
  // "the group that the device was last added to" (manual §5.8)
  `CREATE TABLE IF NOT EXISTS srv_group_members (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    is_primary INTEGER NOT NULL,
    added_seq BIGINT NOT NULL,
    PRIMARY KEY (account, group_id, device_id)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_group_members_device ON srv_group_members (account, device_id)',
);

/** The counter of srv_counters that orders group memberships. */
const MEMBERSHIP_COUNTER = 'group-membership';

/** A device group of an account (manual §5.8). */
export interface DeviceGroup {
  readonly groupId: string;
  readonly notificationUrl: string | undefined;
  /** The members' device type; undefined while the group is empty. */
  readonly deviceType: string | undefined;
  readonly createdAt: number;
}

/** One group a device belongs to, as routing reads it. */
export interface GroupMembership {
  readonly groupId: string;
  readonly notificationUrl: string | undefined;
  /** The group the device marked primary: its URL's reply goes back to the device (manual §5.8). */
  readonly primary: boolean;
  /** Larger for a later addition: the greatest is the group the device was last added to. */
  readonly addedSeq: number;
}

/** A member of a group, as list-device-group-members reports it. */
export interface GroupMember {
  readonly deviceId: string;
  readonly primary: boolean;
}

type GroupRow = {
  group_id: string;
  notification_url: string | null;
  device_type: string | null;
  created_at: number | string;
};

function groupOf(row: GroupRow): DeviceGroup {
  return {
    groupId: row.group_id,
    notificationUrl: row.notification_url ?? undefined,
    deviceType: row.device_type ?? undefined,
    createdAt: Number(row.created_at),
  };
}

const GROUP_COLUMNS = 'g.group_id, g.notification_url, g.device_type, g.created_at';

/** Member device ids of an account's group, in id order. */
export async function groupMembers(db: SqlExecutor, account: string, group: string): Promise<string[]> {
  const rows = await db.query<{ device_id: string }>(
    'SELECT device_id FROM srv_group_members WHERE account = $1 AND group_id = $2 ORDER BY device_id',
    [account, group],
  );
  return rows.map((row) => row.device_id);
}

/** txqueue's view of group membership: its group and device names are `account/id` (context.ts). */
export function groupMembersResolver(db: SqlExecutor): GroupResolver {
  return {
    async members(name) {
      const { account, id } = splitQueueName(name);
      return (await groupMembers(db, account, id)).map((device) => queueName(account, device));
    },
  };
}

/** An account's group, or undefined. */
export async function findGroup(db: SqlExecutor, account: string, groupId: string): Promise<DeviceGroup | undefined> {
  const rows = await db.query<GroupRow>(
    `SELECT ${GROUP_COLUMNS} FROM srv_groups g WHERE g.account = $1 AND g.group_id = $2`,
    [account, groupId],
  );
  return rows[0] === undefined ? undefined : groupOf(rows[0]);
}

/**
 * An account's group, locked until the transaction `db` ends (PostgreSQL;
 * SQLite has one writer), so that membership changes of one group run one
 * after another.
 */
export async function lockGroup(db: SqlExecutor, account: string, groupId: string): Promise<DeviceGroup | undefined> {
  const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await db.query<GroupRow>(
    `SELECT ${GROUP_COLUMNS} FROM srv_groups g WHERE g.account = $1 AND g.group_id = $2${lock}`,
    [account, groupId],
  );
  return rows[0] === undefined ? undefined : groupOf(rows[0]);
}

/** Stores a new group; its id must have been claimed (store/devices.ts `claimId`). */
export async function insertGroup(
  db: SqlExecutor,
  account: string,
  group: { readonly groupId: string; readonly notificationUrl: string | undefined; readonly createdAt: number },
): Promise<void> {
  await db.run('INSERT INTO srv_groups (account, group_id, notification_url, created_at) VALUES ($1, $2, $3, $4)', [
    account,
    group.groupId,
    group.notificationUrl ?? null,
    group.createdAt,
  ]);
}

/** Sets a group's notification URL; false when the group does not exist. */
export async function setGroupUrl(
  db: SqlExecutor,
  account: string,
  change: { readonly groupId: string; readonly notificationUrl: string | undefined },
): Promise<boolean> {
  const rows = await db.query(
    'UPDATE srv_groups SET notification_url = $3 WHERE account = $1 AND group_id = $2 RETURNING group_id',
    [account, change.groupId, change.notificationUrl ?? null],
  );
  return rows.length > 0;
}

/** Deletes a group and its memberships, returning the former members; undefined when there was no group. */
export async function deleteGroup(db: SqlExecutor, account: string, groupId: string): Promise<string[] | undefined> {
  const rows = await db.query('DELETE FROM srv_groups WHERE account = $1 AND group_id = $2 RETURNING group_id', [
    account,
    groupId,
  ]);
  if (rows.length === 0) return undefined;
  const members = await db.query<{ device_id: string }>(
    'DELETE FROM srv_group_members WHERE account = $1 AND group_id = $2 RETURNING device_id',
    [account, groupId],
  );
  return members.map((row) => row.device_id).sort();
}

/** One page of an account's groups in id order. */
export async function listGroups(db: SqlExecutor, account: string, page: Page): Promise<DeviceGroup[]> {
  const tail = pageClause('g.group_id', page, 2);
  const rows = await db.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM srv_groups g WHERE g.account = $1 ${tail.sql}`, [
    account,
    ...tail.params,
  ]);
  return rows.map(groupOf);
}

/** One page of the groups a device belongs to, in group id order, with the device's primary flag. */
export async function listGroupsOfDevice(
  db: SqlExecutor,
  account: string,
  query: Page & { readonly deviceId: string },
): Promise<(DeviceGroup & { readonly primary: boolean })[]> {
  const tail = pageClause('g.group_id', query, 3);
  const rows = await db.query<GroupRow & { is_primary: number | string }>(
    `SELECT ${GROUP_COLUMNS}, m.is_primary FROM srv_group_members m
     JOIN srv_groups g ON g.account = m.account AND g.group_id = m.group_id
     WHERE m.account = $1 AND m.device_id = $2 ${tail.sql}`,
    [account, query.deviceId, ...tail.params],
  );
  return rows.map((row) => ({ ...groupOf(row), primary: Number(row.is_primary) === 1 }));
}

/** The groups a device belongs to, the one it was last added to first (for routing device-originated RPCs). */
export async function groupsOfDevice(db: SqlExecutor, account: string, deviceId: string): Promise<GroupMembership[]> {
  const rows = await db.query<{
    group_id: string;
    notification_url: string | null;
    is_primary: number | string;
    added_seq: number | string;
  }>(
    `SELECT m.group_id, g.notification_url, m.is_primary, m.added_seq FROM srv_group_members m
     JOIN srv_groups g ON g.account = m.account AND g.group_id = m.group_id
     WHERE m.account = $1 AND m.device_id = $2 ORDER BY m.added_seq DESC`,
    [account, deviceId],
  );
  return rows.map((row) => ({
    groupId: row.group_id,
    notificationUrl: row.notification_url ?? undefined,
    primary: Number(row.is_primary) === 1,
    addedSeq: Number(row.added_seq),
  }));
}

/** One page of a group's members in device id order. */
export async function listGroupMembers(
  db: SqlExecutor,
  account: string,
  query: Page & { readonly groupId: string },
): Promise<GroupMember[]> {
  const tail = pageClause('device_id', query, 3);
  const rows = await db.query<{ device_id: string; is_primary: number | string }>(
    `SELECT device_id, is_primary FROM srv_group_members WHERE account = $1 AND group_id = $2 ${tail.sql}`,
    [account, query.groupId, ...tail.params],
  );
  return rows.map((row) => ({ deviceId: row.device_id, primary: Number(row.is_primary) === 1 }));
}

/**
 * Fixes a group's device type to `type` unless it holds another one; true
 * when the group's type is (now) `type`. The row update also serialises
 * concurrent membership changes of one group on PostgreSQL.
 */
export async function fixGroupType(
  db: SqlExecutor,
  account: string,
  group: { readonly groupId: string; readonly deviceType: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_groups SET device_type = $3
     WHERE account = $1 AND group_id = $2 AND (device_type IS NULL OR device_type = $3) RETURNING group_id`,
    [account, group.groupId, group.deviceType],
  );
  return rows.length > 0;
}

/** Forgets the device type of each of these groups that has no member left. */
export async function releaseEmptyGroupTypes(
  db: SqlExecutor,
  account: string,
  groupIds: Iterable<string>,
): Promise<void> {
  for (const groupId of new Set(groupIds)) {
    await db.run(
      `UPDATE srv_groups SET device_type = NULL WHERE account = $1 AND group_id = $2
       AND NOT EXISTS (SELECT 1 FROM srv_group_members m WHERE m.account = $1 AND m.group_id = $2)`,
      [account, groupId],
    );
  }
}

/** A change of one group's members. */
export interface MembershipChange {
  readonly groupId: string;
  readonly deviceIds: readonly string[];
}

/**
 * Adds devices to a group (or adds them again, which makes it the group
 * they were last added to). With `primary`, the group becomes each device's
 * primary group and any other group loses that mark for the device; without
 * it, an existing mark stays. Returns the devices that were not members.
 */
export async function addMembers(
  db: SqlExecutor,
  account: string,
  change: MembershipChange & { readonly primary: boolean },
): Promise<string[]> {
  const before = new Set(await groupMembers(db, account, change.groupId));
  const joined: string[] = [];
  for (const deviceId of change.deviceIds) {
    if (change.primary) {
      await db.run(
        'UPDATE srv_group_members SET is_primary = 0 WHERE account = $1 AND device_id = $2 AND group_id <> $3',
        [account, deviceId, change.groupId],
      );
    }
    const seq = await nextValue(db, account, MEMBERSHIP_COUNTER);
    await db.run(
      `INSERT INTO srv_group_members (account, group_id, device_id, is_primary, added_seq) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account, group_id, device_id) DO UPDATE SET added_seq = excluded.added_seq,
         is_primary = CASE WHEN excluded.is_primary = 1 THEN 1 ELSE srv_group_members.is_primary END`,
      [account, change.groupId, deviceId, change.primary ? 1 : 0, seq],
    );
    if (!before.has(deviceId)) joined.push(deviceId);
  }
  return joined;
}

/** Removes devices from a group; returns those that were members. */
export async function removeMembers(db: SqlExecutor, account: string, change: MembershipChange): Promise<string[]> {
  const left: string[] = [];
  for (const deviceId of change.deviceIds) {
    const rows = await db.query(
      'DELETE FROM srv_group_members WHERE account = $1 AND group_id = $2 AND device_id = $3 RETURNING device_id',
      [account, change.groupId, deviceId],
    );
    if (rows.length > 0) left.push(deviceId);
  }
  return left;
}

/** Removes a device from every group, returning the groups it left. */
export async function leaveAllGroups(db: SqlExecutor, account: string, deviceId: string): Promise<string[]> {
  const rows = await db.query<{ group_id: string }>(
    'DELETE FROM srv_group_members WHERE account = $1 AND device_id = $2 RETURNING group_id',
    [account, deviceId],
  );
  return rows.map((row) => row.group_id).sort();
}
