import type { SqlExecutor } from '@fleetkit/core';
import { readJson } from '../store/json.ts';
import { addTables } from '../store/schema.ts';

addTables(
  // one row per device and package (manual §6.3 Fig. 7 "Installed Packages"): `installed` is the device's
  // installed set, changed only by its confirmation; `operation`/`op_status`/`op_tx` the operation under
  // way or last finished, `last_tx` the newest transaction that started one (ids grow per device, so an
  // older transaction's late event never overrides a newer one); `acked`/`total`/`bitmap` the chunks the
  // device acknowledged (§5.7).
  // `device_created` ties the row to the device it was made for: a device deleted and made again has none
  `CREATE TABLE IF NOT EXISTS srv_device_packages (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    package TEXT NOT NULL,
    device_created BIGINT NOT NULL,
    installed INTEGER NOT NULL,
    explicit INTEGER NOT NULL,
    version TEXT,
    operation TEXT,
    op_status TEXT,
    op_tx BIGINT,
    op_values TEXT,
    op_reboot INTEGER NOT NULL,
    last_tx BIGINT NOT NULL,
    reason TEXT,
    acked BIGINT NOT NULL,
    total BIGINT NOT NULL,
    bitmap BYTEA,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, device_id, package)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_device_packages_package ON srv_device_packages (account, package, device_id)',
);

/** A package operation on a device (2.x install-, upgrade-, uninstall-package; 1.x push-package `transmit`). */
export type Operation = 'install' | 'upgrade' | 'uninstall' | 'transmit';

/** A device's state for one package. */
export interface DevicePackage {
  readonly deviceId: string;
  readonly package: string;
  /** In the device's installed set: the device confirmed it (after its restart, when the install needed one). */
  readonly installed: boolean;
  /** Installed by name, not only as another package's dependency (uninstall's `remove-unused` keeps these). */
  readonly explicit: boolean;
  readonly version: string | undefined;
  readonly operation: Operation | undefined;
  /** The operation's status: `pending-install`, `transferring`, `transmitted`, `installed` (awaiting restart), a failure… */
  readonly opStatus: string | undefined;
  /** The device's transaction of an operation under way (its own, or its share of a group's). */
  readonly opTx: number | undefined;
  readonly opValues: Record<string, unknown> | undefined;
  /** The device reported the install and restarts: it is confirmed by its report after the restart. */
  readonly opReboot: boolean;
  readonly reason: string | undefined;
  readonly acked: number;
  readonly total: number;
  readonly bitmap: Uint8Array | undefined;
  readonly updatedAt: number;
}

type Row = {
  device_id: string;
  package: string;
  installed: number | string;
  explicit: number | string;
  version: string | null;
  operation: string | null;
  op_status: string | null;
  op_tx: number | string | null;
  op_values: string | null;
  op_reboot: number | string;
  reason: string | null;
  acked: number | string;
  total: number | string;
  bitmap: Uint8Array | null;
  updated_at: number | string;
};

const COLUMNS = `device_id, package, installed, explicit, version, operation, op_status, op_tx, op_values, op_reboot,
  reason, acked, total, bitmap, updated_at`;

function rowOf(row: Row): DevicePackage {
  return {
    deviceId: row.device_id,
    package: row.package,
    installed: Number(row.installed) === 1,
    explicit: Number(row.explicit) === 1,
    version: row.version ?? undefined,
    operation: (row.operation ?? undefined) as Operation | undefined,
    opStatus: row.op_status ?? undefined,
    opTx: row.op_tx === null ? undefined : Number(row.op_tx),
    opValues: row.op_values === null ? undefined : readJson<Record<string, unknown>>(row.op_values, {}),
    opReboot: Number(row.op_reboot) === 1,
    reason: row.reason ?? undefined,
    acked: Number(row.acked),
    total: Number(row.total),
    bitmap: row.bitmap === null ? undefined : new Uint8Array(row.bitmap),
    updatedAt: Number(row.updated_at),
  };
}

/** A device as the rows name it: its id and when it was created. */
export interface DeviceRef {
  readonly deviceId: string;
  readonly createdAt: number;
}

/** Drops the rows of an earlier device of the same id (deleted since), so a new one starts with nothing installed. */
export async function forgetEarlierDevice(db: SqlExecutor, account: string, device: DeviceRef): Promise<void> {
  await db.run('DELETE FROM srv_device_packages WHERE account = $1 AND device_id = $2 AND device_created <> $3', [
    account,
    device.deviceId,
    device.createdAt,
  ]);
}

/** Every package row of a device, in package order. */
export async function devicePackages(db: SqlExecutor, account: string, device: DeviceRef): Promise<DevicePackage[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM srv_device_packages WHERE account = $1 AND device_id = $2 AND device_created = $3
     ORDER BY package`,
    [account, device.deviceId, device.createdAt],
  );
  return rows.map(rowOf);
}

/** One device's row for a package, or undefined. */
export async function devicePackage(
  db: SqlExecutor,
  account: string,
  device: DeviceRef,
  pkg: string,
): Promise<DevicePackage | undefined> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM srv_device_packages
     WHERE account = $1 AND device_id = $2 AND device_created = $3 AND package = $4`,
    [account, device.deviceId, device.createdAt, pkg],
  );
  return rows[0] === undefined ? undefined : rowOf(rows[0]);
}

/**
 * Records an operation queued for a device: its status is `pending-<operation>`
 * until the device acts. Nothing changes when the row already saw this or a
 * newer transaction.
 */
export async function startOperation(
  db: SqlExecutor,
  account: string,
  start: {
    readonly device: DeviceRef;
    readonly package: string;
    readonly operation: Operation;
    readonly tx: number;
    readonly explicit: boolean;
    readonly values: Record<string, unknown> | undefined;
    readonly total: number;
    readonly now: number;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO srv_device_packages (account, device_id, package, device_created, installed, explicit, operation,
       op_status, op_tx, op_values, op_reboot, last_tx, acked, total, updated_at)
     VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, 0, $8, 0, $10, $11)
     ON CONFLICT (account, device_id, package) DO UPDATE SET
       explicit = CASE WHEN excluded.explicit = 1 THEN 1 ELSE srv_device_packages.explicit END,
       operation = excluded.operation, op_status = excluded.op_status, op_tx = excluded.op_tx,
       op_values = excluded.op_values, op_reboot = 0, last_tx = excluded.last_tx, reason = NULL, acked = 0,
       total = excluded.total, bitmap = NULL, updated_at = excluded.updated_at
     WHERE srv_device_packages.last_tx < excluded.last_tx`,
    [
      account,
      start.device.deviceId,
      start.package,
      start.device.createdAt,
      start.explicit ? 1 : 0,
      start.operation,
      `pending-${start.operation}`,
      start.tx,
      start.values === undefined ? null : JSON.stringify(start.values),
      start.total,
      start.now,
    ],
  );
}

/** Sets the status of the operation `tx` while it runs; false when that operation is no longer the row's. */
export async function markOperation(
  db: SqlExecutor,
  account: string,
  mark: {
    readonly device: DeviceRef;
    readonly package: string;
    readonly tx: number;
    readonly status: string;
    readonly reboot?: boolean;
    readonly now: number;
  },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_device_packages SET op_status = $6, op_reboot = $7, updated_at = $8
     WHERE account = $1 AND device_id = $2 AND device_created = $3 AND package = $4 AND op_tx = $5 RETURNING package`,
    [
      account,
      mark.device.deviceId,
      mark.device.createdAt,
      mark.package,
      mark.tx,
      mark.status,
      mark.reboot === true ? 1 : 0,
      mark.now,
    ],
  );
  return rows.length > 0;
}

/** Stores the chunks a device acknowledged so far (the union of its reports). */
export async function recordAcknowledged(
  db: SqlExecutor,
  account: string,
  ack: {
    readonly device: DeviceRef;
    readonly package: string;
    readonly bitmap: Uint8Array;
    readonly acked: number;
    readonly now: number;
  },
): Promise<void> {
  await db.run(
    `UPDATE srv_device_packages SET bitmap = $5, acked = $6, updated_at = $7
     WHERE account = $1 AND device_id = $2 AND device_created = $3 AND package = $4`,
    [account, ack.device.deviceId, ack.device.createdAt, ack.package, ack.bitmap, ack.acked, ack.now],
  );
}

/**
 * Ends the operation `tx` on a device's row: on success the installed set
 * changes (install and upgrade add, uninstall removes), on failure only the
 * status is kept. Resolves to the row as it was, or undefined when `tx` is
 * not the row's operation (settled already, or replaced).
 */
export async function settleOperation(
  db: SqlExecutor,
  account: string,
  end: {
    readonly device: DeviceRef;
    readonly package: string;
    readonly tx: number;
    readonly complete: boolean;
    readonly status: string;
    readonly version: string;
    readonly reason: string | undefined;
    readonly now: number;
  },
): Promise<DevicePackage | undefined> {
  const before = await devicePackage(db, account, end.device, end.package);
  if (before?.opTx !== end.tx) return undefined;
  const operation = before.operation;
  const installed = end.complete ? operation === 'install' || operation === 'upgrade' : before.installed;
  const removed = end.complete && operation === 'uninstall';
  await db.run(
    `UPDATE srv_device_packages SET installed = $5, version = $6, op_status = $7, op_tx = NULL, op_values = NULL,
       op_reboot = 0, reason = $8, acked = CASE WHEN $9 = 1 THEN total ELSE acked END, updated_at = $10
     WHERE account = $1 AND device_id = $2 AND device_created = $3 AND package = $4`,
    [
      account,
      end.device.deviceId,
      end.device.createdAt,
      end.package,
      installed && !removed ? 1 : 0,
      installed && !removed ? end.version : null,
      end.status,
      end.reason ?? null,
      end.complete && operation !== 'uninstall' ? 1 : 0,
      end.now,
    ],
  );
  return before;
}

/** Takes a package out of a device's installed set (it was upgraded to another), keeping how it came in. */
export async function replaceInstalled(
  db: SqlExecutor,
  account: string,
  replaced: { readonly device: DeviceRef; readonly from: string; readonly to: string; readonly now: number },
): Promise<void> {
  const rows = await db.query<{ explicit: number | string }>(
    `UPDATE srv_device_packages SET installed = 0, version = NULL, op_status = 'upgraded', updated_at = $5
     WHERE account = $1 AND device_id = $2 AND device_created = $3 AND package = $4 RETURNING explicit`,
    [account, replaced.device.deviceId, replaced.device.createdAt, replaced.from, replaced.now],
  );
  if (rows.some((row) => Number(row.explicit) === 1)) {
    await db.run(
      `UPDATE srv_device_packages SET explicit = 1
       WHERE account = $1 AND device_id = $2 AND device_created = $3 AND package = $4`,
      [account, replaced.device.deviceId, replaced.device.createdAt, replaced.to],
    );
  }
}

/** Devices that have a package installed or an operation of it under way, paged by device id. */
export async function devicesWithPackage(
  db: SqlExecutor,
  account: string,
  query: { readonly package: string; readonly sql: string; readonly params: readonly (string | number)[] },
): Promise<DevicePackage[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM srv_device_packages p
     WHERE p.account = $1 AND p.package = $2 AND (p.installed = 1 OR p.op_tx IS NOT NULL)
       AND EXISTS (SELECT 1 FROM srv_devices d WHERE d.account = p.account AND d.device_id = p.device_id
                   AND d.created_at = p.device_created) ${query.sql}`,
    [account, query.package, ...query.params],
  );
  return rows.map(rowOf);
}
