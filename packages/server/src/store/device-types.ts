import type { SqlExecutor, SqlValue } from '@fleetkit/core';
import { pageClause } from '../api/paging.ts';
import type { Page } from './devices.ts';
import { addTables } from './schema.ts';

addTables(
  `CREATE TABLE IF NOT EXISTS srv_device_types (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    protocol TEXT NOT NULL,
    attribute_module TEXT,
    attribute_container TEXT,
    description TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, name)
  )`,
);

/**
 * The device protocol plugins a device type may name (manual §5.5 item 3,
 * §5.7). The device-plugin code registers one plugin per name here.
 */
export const DEVICE_PROTOCOLS = ['fleetkit-http', 'exoport-http', 'broker'] as const;
export type DeviceProtocol = (typeof DEVICE_PROTOCOLS)[number];

/**
 * Other spellings of a protocol: the real server names its HTTP device
 * protocol `exoport_http`, and its queued BERT sessions `exodm_bert`, whose
 * nearest plugin here is the broker's long-lived device session (docs/sources.md, the real exodm server
 * §4; docs/decisions/server-1x-compatibility.md).
 */
export const PROTOCOL_ALIASES: Readonly<Record<string, DeviceProtocol>> = {
  exoport_http: 'exoport-http',
  exodm_bert: 'broker',
};

/** The plugin name a `protocol` param means, or undefined for a protocol no plugin serves. */
export function canonicalProtocol(name: string): DeviceProtocol | undefined {
  if ((DEVICE_PROTOCOLS as readonly string[]).includes(name)) return name as DeviceProtocol;
  return Object.hasOwn(PROTOCOL_ALIASES, name) ? PROTOCOL_ALIASES[name] : undefined;
}

/** A device type of an account (manual §5.5). */
export interface DeviceType {
  readonly name: string;
  readonly protocol: string;
  /** The YANG module (`name`, `name.yang` or `name@revision`) whose container specifies device attributes. */
  readonly attributeModule: string | undefined;
  readonly attributeContainer: string | undefined;
  readonly description: string | undefined;
  readonly createdAt: number;
}

type TypeRow = {
  name: string;
  protocol: string;
  attribute_module: string | null;
  attribute_container: string | null;
  description: string | null;
  created_at: number | string;
};

function typeOf(row: TypeRow): DeviceType {
  return {
    name: row.name,
    protocol: row.protocol,
    attributeModule: row.attribute_module ?? undefined,
    attributeContainer: row.attribute_container ?? undefined,
    description: row.description ?? undefined,
    createdAt: Number(row.created_at),
  };
}

const COLUMNS = 'name, protocol, attribute_module, attribute_container, description, created_at';

/** An account's device type, or undefined. */
export async function findDeviceType(db: SqlExecutor, account: string, name: string): Promise<DeviceType | undefined> {
  const rows = await db.query<TypeRow>(`SELECT ${COLUMNS} FROM srv_device_types WHERE account = $1 AND name = $2`, [
    account,
    name,
  ]);
  return rows[0] === undefined ? undefined : typeOf(rows[0]);
}

/**
 * An account's device type, locked until the transaction `db` ends
 * (PostgreSQL; SQLite has one writer), so that it cannot be deleted while a
 * device of that type is being stored.
 */
export async function lockDeviceType(db: SqlExecutor, account: string, name: string): Promise<DeviceType | undefined> {
  const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await db.query<TypeRow>(
    `SELECT ${COLUMNS} FROM srv_device_types WHERE account = $1 AND name = $2${lock}`,
    [account, name],
  );
  return rows[0] === undefined ? undefined : typeOf(rows[0]);
}

/** A device type's name and properties as statement values, in the column order insert and save share. */
function typeValues(type: DeviceType): SqlValue[] {
  return [
    type.name,
    type.protocol,
    type.attributeModule ?? null,
    type.attributeContainer ?? null,
    type.description ?? null,
  ];
}

/** Stores a new device type; false when the account already has one of that name. */
export async function insertDeviceType(db: SqlExecutor, account: string, type: DeviceType): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO srv_device_types (account, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (account, name) DO NOTHING RETURNING name`,
    [account, ...typeValues(type), type.createdAt],
  );
  return rows.length > 0;
}

/** Replaces a device type's properties (its name and creation time stay). */
export async function saveDeviceType(db: SqlExecutor, account: string, type: DeviceType): Promise<void> {
  await db.run(
    `UPDATE srv_device_types SET protocol = $3, attribute_module = $4, attribute_container = $5, description = $6
     WHERE account = $1 AND name = $2`,
    [account, ...typeValues(type)],
  );
}

/** Deletes a device type; false when there was none. */
export async function deleteDeviceType(db: SqlExecutor, account: string, name: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM srv_device_types WHERE account = $1 AND name = $2 RETURNING name', [
    account,
    name,
  ]);
  return rows.length > 0;
}

/** One page of an account's device types in name order. */
export async function listDeviceTypes(db: SqlExecutor, account: string, page: Page): Promise<DeviceType[]> {
  const tail = pageClause('name', page, 2);
  const rows = await db.query<TypeRow>(`SELECT ${COLUMNS} FROM srv_device_types WHERE account = $1 ${tail.sql}`, [
    account,
    ...tail.params,
  ]);
  return rows.map(typeOf);
}
