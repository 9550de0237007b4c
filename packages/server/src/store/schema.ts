import type { SqlDriver } from '@fleetkit/core';

/**
 * The server's own tables, beside rbac's and txqueue's on the same driver.
 * Every row of an account's object carries `account` first in its key, so
 * no query can reach another account's rows without naming that account.
 * JSON values are stored as text: one statement text serves SQLite and
 * PostgreSQL.
 */
const TABLES: readonly string[] = [
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
