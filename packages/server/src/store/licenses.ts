import type { SqlExecutor } from '@fleetkit/core';
import { readJson } from './json.ts';
import { addTables } from './schema.ts';

addTables(
  // state: add / update / remove wait for the device's confirmation (docs/sources.md, the Xyte device API Licenses); inuse is
  // confirmed. device_created_at ties the row to that incarnation of the device.
  `CREATE TABLE IF NOT EXISTS srv_device_licenses (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    license_id TEXT NOT NULL,
    device_created_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    expires_at BIGINT,
    seq BIGINT NOT NULL,
    PRIMARY KEY (account, device_id, license_id)
  )`,
);

/** Where a licence stands: waiting for the device to add, update or remove it, or in use on it. */
export type LicenseState = 'add' | 'update' | 'remove' | 'inuse';

/** A licence of a device. */
export interface License {
  readonly licenseId: string;
  readonly state: LicenseState;
  /** What the backend gave with it (features, seats…), passed to the device as it is. */
  readonly data: Readonly<Record<string, unknown>>;
  /** When it expires (epoch ms), if it does. */
  readonly expiresAt: number | undefined;
  /** Order of the backend's changes: the device applies licences one after another in this order. */
  readonly seq: number;
}

type LicenseRow = {
  license_id: string;
  state: string;
  data: string;
  expires_at: number | string | null;
  seq: number | string;
};

function licenseOf(row: LicenseRow): License {
  return {
    licenseId: row.license_id,
    state: row.state as LicenseState,
    data: readJson<Record<string, unknown>>(row.data, {}),
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    seq: Number(row.seq),
  };
}

/** The device a licence belongs to: its id and creation time (a device made again under that id starts bare). */
export interface LicensedDevice {
  readonly deviceId: string;
  readonly createdAt: number;
}

/** Drops the licences an earlier device of the same id left. */
async function dropStale(db: SqlExecutor, account: string, device: LicensedDevice): Promise<void> {
  await db.run('DELETE FROM srv_device_licenses WHERE account = $1 AND device_id = $2 AND device_created_at <> $3', [
    account,
    device.deviceId,
    device.createdAt,
  ]);
}

/** A device's licences in the order of the backend's changes. */
export async function listLicenses(
  db: SqlExecutor,
  account: string,
  device: LicensedDevice,
  options: { readonly pendingOnly?: boolean } = {},
): Promise<License[]> {
  const rows = await db.query<LicenseRow>(
    `SELECT license_id, state, data, expires_at, seq FROM srv_device_licenses
     WHERE account = $1 AND device_id = $2 AND device_created_at = $3${options.pendingOnly ? " AND state <> 'inuse'" : ''}
     ORDER BY seq`,
    [account, device.deviceId, device.createdAt],
  );
  return rows.map(licenseOf);
}

/** True when some licence of the device waits for it (the telemetry answer's `new_licenses`). */
export async function hasPendingLicenses(db: SqlExecutor, account: string, deviceId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM srv_device_licenses l JOIN srv_devices d ON d.account = l.account AND d.device_id = l.device_id
       AND d.created_at = l.device_created_at
     WHERE l.account = $1 AND l.device_id = $2 AND l.state <> 'inuse' LIMIT 1`,
    [account, deviceId],
  );
  return rows.length > 0;
}

/**
 * Grants a device a licence, or changes one it has (`update`); a licence
 * whose removal is pending is granted again (`add`).
 */
export async function grantLicense(
  db: SqlExecutor,
  account: string,
  device: LicensedDevice,
  license: {
    readonly licenseId: string;
    readonly data: Readonly<Record<string, unknown>>;
    readonly expiresAt: number | undefined;
    readonly seq: number;
  },
): Promise<LicenseState> {
  await dropStale(db, account, device);
  const rows = await db.query<{ state: string }>(
    `INSERT INTO srv_device_licenses (account, device_id, license_id, device_created_at, state, data, expires_at, seq)
     VALUES ($1, $2, $3, $4, 'add', $5, $6, $7)
     ON CONFLICT (account, device_id, license_id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at,
       seq = excluded.seq,
       state = CASE WHEN srv_device_licenses.state IN ('inuse', 'update') THEN 'update' ELSE 'add' END
     RETURNING state`,
    [
      account,
      device.deviceId,
      license.licenseId,
      device.createdAt,
      JSON.stringify(license.data),
      license.expiresAt ?? null,
      license.seq,
    ],
  );
  return rows[0]!.state as LicenseState;
}

/**
 * Revokes a licence: one the device never confirmed is simply withdrawn
 * (`withdrawn`), one it holds waits for its `removed` (`remove`); undefined
 * when the device has no such licence.
 */
export async function revokeLicense(
  db: SqlExecutor,
  account: string,
  device: LicensedDevice & { readonly licenseId: string; readonly seq: number },
): Promise<'withdrawn' | 'remove' | undefined> {
  await dropStale(db, account, device);
  const withdrawn = await db.query(
    `DELETE FROM srv_device_licenses WHERE account = $1 AND device_id = $2 AND license_id = $3 AND state = 'add'
     RETURNING license_id`,
    [account, device.deviceId, device.licenseId],
  );
  if (withdrawn.length > 0) return 'withdrawn';
  const marked = await db.query(
    `UPDATE srv_device_licenses SET state = 'remove', seq = $4 WHERE account = $1 AND device_id = $2 AND license_id = $3
     RETURNING license_id`,
    [account, device.deviceId, device.licenseId, device.seq],
  );
  return marked.length > 0 ? 'remove' : undefined;
}

/**
 * A device's confirmation (docs/sources.md, the Xyte device API: `{id, state: inuse|removed}`):
 * `inuse` settles an add or update, `removed` a removal (the licence goes).
 * Returns what it settled, or why not: `unknown-license`, or `not-pending`
 * when the licence waits for the other confirmation.
 */
export async function confirmLicense(
  db: SqlExecutor,
  account: string,
  device: LicensedDevice & { readonly licenseId: string; readonly state: 'inuse' | 'removed' },
): Promise<'settled' | 'unknown-license' | 'not-pending'> {
  const rows = await db.query<{ state: string }>(
    `SELECT state FROM srv_device_licenses WHERE account = $1 AND device_id = $2 AND license_id = $3
       AND device_created_at = $4`,
    [account, device.deviceId, device.licenseId, device.createdAt],
  );
  const current = rows[0]?.state;
  if (current === undefined) return device.state === 'removed' ? 'settled' : 'unknown-license';
  if (device.state === 'removed') {
    if (current !== 'remove') return 'not-pending';
    await db.run('DELETE FROM srv_device_licenses WHERE account = $1 AND device_id = $2 AND license_id = $3', [
      account,
      device.deviceId,
      device.licenseId,
    ]);
    return 'settled';
  }
  if (current === 'remove') return 'not-pending';
  await db.run(
    `UPDATE srv_device_licenses SET state = 'inuse' WHERE account = $1 AND device_id = $2 AND license_id = $3`,
    [account, device.deviceId, device.licenseId],
  );
  return 'settled';
}
