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
  // a group install's rollout: the members' outcomes so far and its rules
  `CREATE TABLE IF NOT EXISTS srv_package_rollouts (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    tx_id BIGINT NOT NULL,
    package TEXT NOT NULL,
    total BIGINT NOT NULL,
    succeeded BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    cancelled BIGINT NOT NULL,
    success_threshold BIGINT,
    abort_percent BIGINT,
    aborted INTEGER NOT NULL,
    PRIMARY KEY (account, group_id, tx_id)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_package_rollout_members (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    tx_id BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (account, group_id, tx_id, device_id)
  )`,
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

/** A group rollout's counts and rules (install on a group). */
export interface Rollout {
  readonly groupId: string;
  readonly txId: number;
  readonly package: string;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Members whose share was cancelled (they left the group, or the rollout stopped before them). */
  readonly cancelled: number;
  /** Percent of members that must succeed for the rollout to count as a success. */
  readonly successThreshold: number | undefined;
  /** Members still queued are cancelled once more than this percent failed. */
  readonly abortPercent: number | undefined;
  readonly aborted: boolean;
}

type RolloutRow = {
  group_id: string;
  tx_id: number | string;
  package: string;
  total: number | string;
  succeeded: number | string;
  failed: number | string;
  cancelled: number | string;
  success_threshold: number | string | null;
  abort_percent: number | string | null;
  aborted: number | string;
};

function rolloutOf(row: RolloutRow): Rollout {
  return {
    groupId: row.group_id,
    txId: Number(row.tx_id),
    package: row.package,
    total: Number(row.total),
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    successThreshold: row.success_threshold === null ? undefined : Number(row.success_threshold),
    abortPercent: row.abort_percent === null ? undefined : Number(row.abort_percent),
    aborted: Number(row.aborted) === 1,
  };
}

/** Records a group rollout when its transaction is queued. */
export async function openRollout(
  db: SqlExecutor,
  account: string,
  rollout: Omit<Rollout, 'succeeded' | 'failed' | 'cancelled' | 'aborted'>,
) {
  await db.run(
    `INSERT INTO srv_package_rollouts (account, group_id, tx_id, package, total, succeeded, failed, cancelled,
       success_threshold, abort_percent, aborted) VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6, $7, 0)`,
    [
      account,
      rollout.groupId,
      rollout.txId,
      rollout.package,
      rollout.total,
      rollout.successThreshold ?? null,
      rollout.abortPercent ?? null,
    ],
  );
}

/** A group's rollouts of a package, newest first. */
export async function rolloutsOf(db: SqlExecutor, account: string, group: string, pkg: string): Promise<Rollout[]> {
  const rows = await db.query<RolloutRow>(
    `SELECT group_id, tx_id, package, total, succeeded, failed, cancelled, success_threshold, abort_percent, aborted
     FROM srv_package_rollouts WHERE account = $1 AND group_id = $2 AND package = $3 ORDER BY tx_id DESC`,
    [account, group, pkg],
  );
  return rows.map(rolloutOf);
}

/** One rollout, or undefined (the transaction was no package rollout). */
export async function findRollout(db: SqlExecutor, account: string, group: string, txId: number) {
  const rows = await db.query<RolloutRow>(
    `SELECT group_id, tx_id, package, total, succeeded, failed, cancelled, success_threshold, abort_percent, aborted
     FROM srv_package_rollouts WHERE account = $1 AND group_id = $2 AND tx_id = $3`,
    [account, group, txId],
  );
  return rows[0] === undefined ? undefined : rolloutOf(rows[0]);
}

/**
 * Counts one member's outcome once (an event delivered twice counts once);
 * the rollout after it, or undefined when this member was counted already.
 * Run it in a transaction: a rollout not stored yet counts nothing.
 */
export async function countRolloutMember(
  db: SqlExecutor,
  account: string,
  member: {
    readonly group: string;
    readonly txId: number;
    readonly device: string;
    readonly outcome: 'succeeded' | 'failed' | 'cancelled';
  },
): Promise<Rollout | undefined> {
  const first = await db.query(
    `INSERT INTO srv_package_rollout_members (account, group_id, tx_id, device_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, group_id, tx_id, device_id) DO NOTHING RETURNING device_id`,
    [account, member.group, member.txId, member.device],
  );
  if (first.length === 0) return undefined;
  const rows = await db.query<RolloutRow>(
    `UPDATE srv_package_rollouts SET succeeded = succeeded + $4, failed = failed + $5, cancelled = cancelled + $6
     WHERE account = $1 AND group_id = $2 AND tx_id = $3
     RETURNING group_id, tx_id, package, total, succeeded, failed, cancelled, success_threshold, abort_percent, aborted`,
    [
      account,
      member.group,
      member.txId,
      member.outcome === 'succeeded' ? 1 : 0,
      member.outcome === 'failed' ? 1 : 0,
      member.outcome === 'cancelled' ? 1 : 0,
    ],
  );
  return rows[0] === undefined ? undefined : rolloutOf(rows[0]);
}

/** Marks a rollout aborted; false when it already was. */
export async function abortRollout(db: SqlExecutor, account: string, group: string, txId: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_package_rollouts SET aborted = 1 WHERE account = $1 AND group_id = $2 AND tx_id = $3 AND aborted = 0
     RETURNING tx_id`,
    [account, group, txId],
  );
  return rows.length > 0;
}

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
