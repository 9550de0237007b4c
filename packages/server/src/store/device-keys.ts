import type { SqlExecutor } from '@fleetkit/core';
import { idsIn, readJson } from './json.ts';
import { addTables } from './schema.ts';

addTables(
  // the opaque id a device's protocol names it by (the Xyte URL id, the broker deviceId); the access key's
  // hash itself is srv_devices.secret_hash, so deleting the device takes its key with it
  `CREATE TABLE IF NOT EXISTS srv_device_keys (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    public_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, device_id)
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS srv_device_keys_public ON srv_device_keys (public_id)',
  // type_created_at: the key belongs to that incarnation of the type; a type deleted and created again
  // under the same name does not inherit it
  `CREATE TABLE IF NOT EXISTS srv_provisioning_keys (
    account TEXT NOT NULL,
    device_type TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    type_created_at BIGINT NOT NULL,
    PRIMARY KEY (account, device_type)
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS srv_provisioning_keys_hash ON srv_provisioning_keys (account, key_hash)',
  // what a device last reported (Xyte telemetry) and the configuration version it acknowledged;
  // device_created_at ties the row to that incarnation of the device
  `CREATE TABLE IF NOT EXISTS srv_device_reports (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_created_at BIGINT NOT NULL,
    status TEXT,
    telemetries TEXT,
    message TEXT,
    reported_at BIGINT,
    firmware_version TEXT,
    config_version BIGINT NOT NULL,
    PRIMARY KEY (account, device_id)
  )`,
);

/** The device an opaque public id names. */
export interface PublicIdOwner {
  readonly account: string;
  readonly deviceId: string;
}

/** The account and device of a public id, or undefined. */
export async function ownerOfPublicId(db: SqlExecutor, publicId: string): Promise<PublicIdOwner | undefined> {
  const rows = await db.query<{ account: string; device_id: string }>(
    'SELECT account, device_id FROM srv_device_keys WHERE public_id = $1',
    [publicId],
  );
  const row = rows[0];
  return row === undefined ? undefined : { account: row.account, deviceId: row.device_id };
}

/** The public id of an account's device, or undefined when it never registered. */
export async function publicIdOf(db: SqlExecutor, account: string, deviceId: string): Promise<string | undefined> {
  const rows = await db.query<{ public_id: string }>(
    'SELECT public_id FROM srv_device_keys WHERE account = $1 AND device_id = $2',
    [account, deviceId],
  );
  return rows[0]?.public_id;
}

/** Gives a device a public id unless it has one; returns the one in force. */
export async function assignPublicId(
  db: SqlExecutor,
  account: string,
  device: { readonly deviceId: string; readonly publicId: string; readonly at: number },
): Promise<string> {
  await db.run(
    `INSERT INTO srv_device_keys (account, device_id, public_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, device_id) DO NOTHING`,
    [account, device.deviceId, device.publicId, device.at],
  );
  return (await publicIdOf(db, account, device.deviceId)) as string;
}

/**
 * Sets (or with `keyHash` undefined, removes) a device type's provisioning
 * key hash; false when another type of the account has the same key.
 */
export async function setProvisioningKey(
  db: SqlExecutor,
  account: string,
  key: { readonly deviceType: string; readonly keyHash: string | undefined; readonly typeCreatedAt: number },
): Promise<boolean> {
  if (key.keyHash === undefined) {
    await db.run('DELETE FROM srv_provisioning_keys WHERE account = $1 AND device_type = $2', [
      account,
      key.deviceType,
    ]);
    return true;
  }
  const taken = await db.query<{ device_type: string }>(
    'SELECT device_type FROM srv_provisioning_keys WHERE account = $1 AND key_hash = $2',
    [account, key.keyHash],
  );
  if (taken.some((row) => row.device_type !== key.deviceType)) return false;
  await db.run(
    `INSERT INTO srv_provisioning_keys (account, device_type, key_hash, type_created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, device_type) DO UPDATE SET key_hash = excluded.key_hash,
       type_created_at = excluded.type_created_at`,
    [account, key.deviceType, key.keyHash, key.typeCreatedAt],
  );
  return true;
}

/** The device type whose provisioning key has this hash, with the type incarnation it was set for. */
export async function typeOfProvisioningKey(
  db: SqlExecutor,
  account: string,
  keyHash: string,
): Promise<{ readonly deviceType: string; readonly typeCreatedAt: number } | undefined> {
  const rows = await db.query<{ device_type: string; type_created_at: number | string }>(
    'SELECT device_type, type_created_at FROM srv_provisioning_keys WHERE account = $1 AND key_hash = $2',
    [account, keyHash],
  );
  const row = rows[0];
  return row === undefined ? undefined : { deviceType: row.device_type, typeCreatedAt: Number(row.type_created_at) };
}

/** What a device reported last, and the configuration version it acknowledged. */
export interface DeviceReport {
  readonly status: string | undefined;
  readonly telemetries: Readonly<Record<string, unknown>>;
  readonly message: string | undefined;
  readonly reportedAt: number | undefined;
  readonly firmwareVersion: string | undefined;
  /** The id of the last configuration transaction the device acknowledged complete (0: none). */
  readonly configVersion: number;
}

const EMPTY_REPORT: DeviceReport = {
  status: undefined,
  telemetries: {},
  message: undefined,
  reportedAt: undefined,
  firmwareVersion: undefined,
  configVersion: 0,
};

type ReportRow = {
  device_created_at: number | string;
  status: string | null;
  telemetries: string | null;
  message: string | null;
  reported_at: number | string | null;
  firmware_version: string | null;
  config_version: number | string;
};

/** Which incarnation of a device a report belongs to: its account, id and creation time. */
export interface DeviceIncarnation {
  readonly deviceId: string;
  readonly createdAt: number;
}

const REPORT_COLUMNS =
  'device_id, device_created_at, status, telemetries, message, reported_at, firmware_version, config_version';

function reportOf(row: ReportRow): DeviceReport {
  return {
    status: row.status ?? undefined,
    telemetries: readJson<Record<string, unknown>>(row.telemetries, {}),
    message: row.message ?? undefined,
    reportedAt: row.reported_at === null ? undefined : Number(row.reported_at),
    firmwareVersion: row.firmware_version ?? undefined,
    configVersion: Number(row.config_version),
  };
}

/** A device's report; an empty one when it never reported (or an earlier device of that id did). */
export async function readReport(db: SqlExecutor, account: string, device: DeviceIncarnation): Promise<DeviceReport> {
  const rows = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM srv_device_reports WHERE account = $1 AND device_id = $2`,
    [account, device.deviceId],
  );
  const row = rows[0];
  return row === undefined || Number(row.device_created_at) !== device.createdAt ? EMPTY_REPORT : reportOf(row);
}

/** The reports of several devices in one statement, by device id; {@link readReport}'s rule for each. */
export async function readReports(
  db: SqlExecutor,
  account: string,
  devices: readonly DeviceIncarnation[],
): Promise<Map<string, DeviceReport>> {
  const reports = new Map<string, DeviceReport>(devices.map((device) => [device.deviceId, EMPTY_REPORT]));
  if (devices.length === 0) return reports;
  const created = new Map(devices.map((device) => [device.deviceId, device.createdAt]));
  const rows = await db.query<ReportRow & { device_id: string }>(
    `SELECT ${REPORT_COLUMNS} FROM srv_device_reports WHERE account = $1 AND device_id IN (${idsIn(db.dialect, '$2')})`,
    [account, JSON.stringify([...created.keys()])],
  );
  for (const row of rows) {
    if (Number(row.device_created_at) === created.get(row.device_id)) reports.set(row.device_id, reportOf(row));
  }
  return reports;
}

/** The fields of a telemetry report (Xyte Send Telemetry). */
export interface Telemetry {
  readonly status: string | undefined;
  readonly telemetries: Readonly<Record<string, unknown>>;
  readonly message: string | undefined;
  readonly reportedAt: number;
}

/** Keeps a row of an earlier device of the same id from leaking into this one's report. */
const SAME_DEVICE = 'srv_device_reports.device_created_at = excluded.device_created_at';

/** Records a device's telemetry; its acknowledged configuration version stays. */
export async function recordTelemetry(
  db: SqlExecutor,
  account: string,
  device: DeviceIncarnation,
  telemetry: Telemetry,
): Promise<void> {
  await db.run(
    `INSERT INTO srv_device_reports (account, device_id, device_created_at, status, telemetries, message,
       reported_at, config_version) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)
     ON CONFLICT (account, device_id) DO UPDATE SET device_created_at = excluded.device_created_at,
       status = excluded.status, telemetries = excluded.telemetries, message = excluded.message,
       reported_at = excluded.reported_at,
       firmware_version = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.firmware_version ELSE NULL END,
       config_version = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.config_version ELSE 0 END`,
    [
      account,
      device.deviceId,
      device.createdAt,
      telemetry.status ?? null,
      JSON.stringify(telemetry.telemetries),
      telemetry.message ?? null,
      telemetry.reportedAt,
    ],
  );
}

/** Records the firmware version a device registered with. */
export async function recordFirmware(
  db: SqlExecutor,
  account: string,
  device: DeviceIncarnation,
  firmwareVersion: string | undefined,
): Promise<void> {
  await db.run(
    `INSERT INTO srv_device_reports (account, device_id, device_created_at, firmware_version, config_version)
     VALUES ($1, $2, $3, $4, 0)
     ON CONFLICT (account, device_id) DO UPDATE SET device_created_at = excluded.device_created_at,
       firmware_version = excluded.firmware_version,
       status = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.status ELSE NULL END,
       telemetries = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.telemetries ELSE NULL END,
       message = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.message ELSE NULL END,
       reported_at = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.reported_at ELSE NULL END,
       config_version = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.config_version ELSE 0 END`,
    [account, device.deviceId, device.createdAt, firmwareVersion ?? null],
  );
}

/** Records that a device acknowledged configuration `version` (a version never goes back). */
export async function recordConfigVersion(
  db: SqlExecutor,
  account: string,
  device: DeviceIncarnation,
  version: number,
): Promise<void> {
  await db.run(
    `INSERT INTO srv_device_reports (account, device_id, device_created_at, config_version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, device_id) DO UPDATE SET device_created_at = excluded.device_created_at,
       status = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.status ELSE NULL END,
       telemetries = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.telemetries ELSE NULL END,
       message = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.message ELSE NULL END,
       reported_at = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.reported_at ELSE NULL END,
       firmware_version = CASE WHEN ${SAME_DEVICE} THEN srv_device_reports.firmware_version ELSE NULL END,
       config_version = CASE WHEN ${SAME_DEVICE} AND srv_device_reports.config_version > excluded.config_version
         THEN srv_device_reports.config_version ELSE excluded.config_version END`,
    [account, device.deviceId, device.createdAt, version],
  );
}
