import type { SqlDriver } from '@fleetkit/core';

/**
 * The server's own tables, beside rbac's and txqueue's on the same driver.
 * Every row of an account's object carries `account` first in its key, so
 * no query can reach another account's rows without naming that account.
 * JSON values are stored as text: one statement text serves SQLite and
 * PostgreSQL.
 */
const TABLES: readonly string[] = [
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
  `CREATE TABLE IF NOT EXISTS srv_devices (
    account TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_type TEXT NOT NULL,
    description TEXT,
    attributes TEXT NOT NULL,
    notification_url TEXT,
    secret_hash TEXT,
    created_at BIGINT NOT NULL,
    last_seen BIGINT,
    PRIMARY KEY (account, device_id)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_groups (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    notification_url TEXT,
    device_type TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, group_id)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_group_members (
    account TEXT NOT NULL,
    group_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    is_primary INTEGER NOT NULL,
    added_seq BIGINT NOT NULL,
    PRIMARY KEY (account, group_id, device_id)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_group_members_device ON srv_group_members (account, device_id)',
  `CREATE TABLE IF NOT EXISTS srv_counters (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (account, name)
  )`,
];

const extra: string[] = [];

/** Adds a family's tables to the schema; called at module load by the store files that own them. */
export function addTables(...statements: string[]): void {
  extra.push(...statements);
}

/** Creates every table the server owns (idempotent). */
export async function createTables(driver: SqlDriver): Promise<void> {
  for (const statement of [...TABLES, ...extra]) await driver.run(statement);
}
