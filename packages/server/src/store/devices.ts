import type { SqlDriver, SqlExecutor, SqlValue } from '@fleetkit/core';
import { pageClause } from '../api/paging.ts';
import { readJson } from './json.ts';
import { addTables } from './schema.ts';

addTables(
  // `attributes` holds the 2.x attributes (checked against the type's YANG container, manual §5.5),
  // `properties` the 1.x device-object fields (docs/sources.md, the real exodm server item 1 create-device), both JSON objects
  `CREATE TABLE IF NOT EXISTS srv_devices (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_type TEXT NOT NULL,
    description TEXT,
    attributes TEXT NOT NULL,
    properties TEXT NOT NULL,
    notification_url TEXT,
    secret_hash TEXT,
    created_at BIGINT NOT NULL,
    last_seen BIGINT,
    PRIMARY KEY (account, device_id)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_devices_type ON srv_devices (account, device_type, device_id)',
  // manual §5.8: device and group ids share one namespace per account; one key makes a race of
  // create-device and create-device-group on the same id lose on either dialect
  `CREATE TABLE IF NOT EXISTS srv_object_ids (
    account TEXT NOT NULL,
    object_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (account, object_id)
  )`,
);

/** A page of a list: `n` entries after the key `previous`, in either direction (api/paging.ts). */
export type Page = Parameters<typeof pageClause>[1];

/** The 1.x device-object fields (exodm_device.yang `device-obj`), stored under their wire names. */
export interface DeviceProperties {
  /** uint64 as decimal text (exact beyond 2^53). */
  readonly 'server-key'?: string;
  readonly 'device-key'?: string;
  /** Seconds of inactivity after which a connected device counts as off-line; 0 means never. */
  readonly 'session-timeout'?: number;
  readonly msisdn?: string;
  readonly imsi?: string;
  readonly imei?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

/** A device of an account, as the API methods, the device plugins and routing read it. */
export interface Device {
  readonly account: string;
  readonly deviceId: string;
  readonly deviceType: string;
  /** The device type's protocol plugin name (undefined only if the type row is gone). */
  readonly protocol: string | undefined;
  readonly description: string | undefined;
  /** Where device-originated RPCs go before the groups' URLs (manual §5.4). */
  readonly notificationUrl: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly properties: DeviceProperties;
  /** The device credential's hash, set by the device plugin that provisions it. */
  readonly secretHash: string | undefined;
  readonly createdAt: number;
  /** When the device last called in (epoch ms); undefined once a plugin saw it disconnect. */
  readonly lastSeen: number | undefined;
}

/** What `insertDevice` and `saveDevice` write. */
export interface DeviceFields {
  readonly deviceType: string;
  readonly description: string | undefined;
  readonly notificationUrl: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly properties: DeviceProperties;
}

type DeviceRow = {
  device_id: string;
  device_type: string;
  protocol: string | null;
  description: string | null;
  attributes: string;
  properties: string;
  notification_url: string | null;
  secret_hash: string | null;
  created_at: number | string;
  last_seen: number | string | null;
};

const SELECT = `SELECT d.device_id, d.device_type, t.protocol, d.description, d.attributes, d.properties,
  d.notification_url, d.secret_hash, d.created_at, d.last_seen
  FROM srv_devices d LEFT JOIN srv_device_types t ON t.account = d.account AND t.name = d.device_type`;

function deviceOf(account: string, row: DeviceRow): Device {
  return {
    account,
    deviceId: row.device_id,
    deviceType: row.device_type,
    protocol: row.protocol ?? undefined,
    description: row.description ?? undefined,
    notificationUrl: row.notification_url ?? undefined,
    attributes: readJson<Record<string, unknown>>(row.attributes, {}),
    properties: readJson<DeviceProperties>(row.properties, {}),
    secretHash: row.secret_hash ?? undefined,
    createdAt: Number(row.created_at),
    lastSeen: row.last_seen === null ? undefined : Number(row.last_seen),
  };
}

/** An account's device, or undefined. */
export async function findDevice(db: SqlExecutor, account: string, deviceId: string): Promise<Device | undefined> {
  const rows = await db.query<DeviceRow>(`${SELECT} WHERE d.account = $1 AND d.device_id = $2`, [account, deviceId]);
  return rows[0] === undefined ? undefined : deviceOf(account, rows[0]);
}

/**
 * An account's devices among `deviceIds` (those that exist), keyed by id,
 * locked until the transaction `db` ends (PostgreSQL; SQLite has one
 * writer), so that no concurrent call deletes or retypes them meanwhile.
 */
export async function lockDevices(
  db: SqlExecutor,
  account: string,
  deviceIds: readonly string[],
): Promise<Map<string, Device>> {
  const found = new Map<string, Device>();
  if (deviceIds.length === 0) return found;
  const marks = deviceIds.map((_, index) => `$${index + 2}`).join(', ');
  const lock = db.dialect === 'postgres' ? ' FOR UPDATE OF d' : '';
  // one lock order for every caller, so two calls locking the same devices cannot deadlock
  const rows = await db.query<DeviceRow>(
    `${SELECT} WHERE d.account = $1 AND d.device_id IN (${marks}) ORDER BY d.device_id${lock}`,
    [account, ...deviceIds],
  );
  for (const row of rows) found.set(row.device_id, deviceOf(account, row));
  return found;
}

/** Which devices a list shows: a page in id order, optionally only those of one type. */
export interface DeviceQuery extends Page {
  readonly type?: string;
}

/** One page of an account's devices in id order. */
export async function listDevices(db: SqlExecutor, account: string, query: DeviceQuery): Promise<Device[]> {
  const filter = query.type === undefined ? '' : 'AND d.device_type = $2';
  const tail = pageClause('d.device_id', query, query.type === undefined ? 2 : 3);
  const rows = await db.query<DeviceRow>(`${SELECT} WHERE d.account = $1 ${filter} ${tail.sql}`, [
    account,
    ...(query.type === undefined ? [] : [query.type]),
    ...tail.params,
  ]);
  return rows.map((row) => deviceOf(account, row));
}

/** True when some device of the account has the type. */
export async function typeInUse(db: SqlExecutor, account: string, type: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM srv_devices WHERE account = $1 AND device_type = $2 LIMIT 1', [
    account,
    type,
  ]);
  return rows.length > 0;
}

/**
 * Claims `id` in the account's namespace of device and group ids (manual
 * §5.8); false when a device or group already holds it.
 */
export async function claimId(
  db: SqlExecutor,
  account: string,
  object: { readonly id: string; readonly kind: 'device' | 'group' },
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO srv_object_ids (account, object_id, kind) VALUES ($1, $2, $3)
     ON CONFLICT (account, object_id) DO NOTHING RETURNING object_id`,
    [account, object.id, object.kind],
  );
  return rows.length > 0;
}

/** Frees an id of the account's device and group namespace. */
export async function releaseId(db: SqlExecutor, account: string, id: string): Promise<void> {
  await db.run('DELETE FROM srv_object_ids WHERE account = $1 AND object_id = $2', [account, id]);
}

/** A device's fields as statement values, in the column order insert and save share. */
function fieldValues(device: DeviceFields): SqlValue[] {
  return [
    device.deviceType,
    device.description ?? null,
    JSON.stringify(device.attributes),
    JSON.stringify(device.properties),
    device.notificationUrl ?? null,
  ];
}

/** Stores a new device; its id must have been claimed (see {@link claimId}). */
export async function insertDevice(
  db: SqlExecutor,
  account: string,
  device: DeviceFields & { readonly deviceId: string; readonly createdAt: number },
): Promise<void> {
  await db.run(
    `INSERT INTO srv_devices (account, device_id, device_type, description, attributes, properties,
       notification_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [account, device.deviceId, ...fieldValues(device), device.createdAt],
  );
}

/** Replaces a device's fields; false when the device does not exist. */
export async function saveDevice(
  db: SqlExecutor,
  account: string,
  device: DeviceFields & { readonly deviceId: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_devices SET device_type = $3, description = $4, attributes = $5, properties = $6,
       notification_url = $7 WHERE account = $1 AND device_id = $2 RETURNING device_id`,
    [account, device.deviceId, ...fieldValues(device)],
  );
  return rows.length > 0;
}

/** Deletes a device row and frees its id; false when there was none. */
export async function deleteDevice(db: SqlExecutor, account: string, deviceId: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM srv_devices WHERE account = $1 AND device_id = $2 RETURNING device_id', [
    account,
    deviceId,
  ]);
  if (rows.length === 0) return false;
  await releaseId(db, account, deviceId);
  return true;
}

/** Sets one column of a device's row; false when the device does not exist. */
async function setColumn(
  db: SqlExecutor,
  account: string,
  deviceId: string,
  column: 'secret_hash' | 'last_seen',
  value: SqlValue,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_devices SET ${column} = $3 WHERE account = $1 AND device_id = $2 RETURNING device_id`,
    [account, deviceId, value],
  );
  return rows.length > 0;
}

/**
 * Sets a device's credential hash (undefined clears it), for the device
 * plugin that provisions credentials; false when the device does not exist.
 */
export async function setDeviceSecretHash(
  db: SqlExecutor,
  account: string,
  change: { readonly deviceId: string; readonly hash: string | undefined },
): Promise<boolean> {
  return setColumn(db, account, change.deviceId, 'secret_hash', change.hash ?? null);
}

/**
 * Records when a device called in (epoch ms `at`), or with `at` undefined
 * that a plugin saw it disconnect; false when the device does not exist.
 */
export async function recordLastSeen(
  db: SqlExecutor,
  account: string,
  seen: { readonly deviceId: string; readonly at: number | undefined },
): Promise<boolean> {
  return setColumn(db, account, seen.deviceId, 'last_seen', seen.at ?? null);
}

/** A device seen at `at` (epoch ms) whose `last_seen` waits to be moved forward. */
export interface Sighting {
  readonly account: string;
  readonly deviceId: string;
  readonly at: number;
}

/**
 * Moves the `last_seen` of devices seen before forward, in one transaction.
 * A device without `last_seen` (never seen, or a disconnect recorded since)
 * and one written later (another process, a reconnect) keep theirs: a
 * sighting held back never undoes either.
 */
export async function refreshLastSeen(db: SqlDriver, sightings: readonly Sighting[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const seen of sightings) {
      await tx.run('UPDATE srv_devices SET last_seen = $3 WHERE account = $1 AND device_id = $2 AND last_seen < $3', [
        seen.account,
        seen.deviceId,
        seen.at,
      ]);
    }
  });
}

/**
 * The `is-connected` pseudo-attribute (docs/sources.md, the real exodm server item 1): seen and not idle past
 * its `session-timeout` (exodm_device.yang: 0 seconds means no timeout, so
 * such a device counts as connected until a plugin records a disconnect).
 */
export function isConnected(device: Device, now: number): boolean {
  if (device.lastSeen === undefined) return false;
  const timeout = device.properties['session-timeout'] ?? 0;
  return timeout === 0 || now - device.lastSeen <= timeout * 1000;
}
