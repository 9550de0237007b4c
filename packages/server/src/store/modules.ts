import type { SqlExecutor } from '@fleetkit/core';
import { nextValue } from './counters.ts';
import { addTables } from './schema.ts';

// the device-attribute validation reads this table too: keep these columns
addTables(
  `CREATE TABLE IF NOT EXISTS srv_yang_modules (
    account TEXT NOT NULL,
    repository TEXT NOT NULL,
    name TEXT NOT NULL,
    module TEXT NOT NULL,
    revision TEXT,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, repository, name)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_yang_modules_module ON srv_yang_modules (account, module)',
);

/**
 * Where a module lives: the account's own repository (2.x `account`, 1.x
 * `user`: one repository under two names), or `system`, whose modules every
 * account may import and call.
 */
export type Repository = 'account' | 'system';

/** One stored module text. */
export interface ModuleRow {
  /** The owning account, or `/system` for the system repository ({@link ownerKey}). */
  readonly account: string;
  readonly repository: Repository;
  /** The file name it was uploaded as (`rfzone.yang`). */
  readonly name: string;
  /** The name its `module` (or `submodule`) statement gives. */
  readonly module: string;
  readonly revision: string | undefined;
  readonly text: string;
  readonly createdAt: number;
}

type Row = {
  account: string;
  repository: string;
  name: string;
  module: string;
  revision: string | null;
  text: string;
  created_at: number | string;
};

const COLUMNS = 'account, repository, name, module, revision, text, created_at';

function rowOf(row: Row): ModuleRow {
  return {
    account: row.account,
    repository: row.repository === 'system' ? 'system' : 'account',
    name: row.name,
    module: row.module,
    revision: row.revision ?? undefined,
    text: row.text,
    createdAt: Number(row.created_at),
  };
}

/**
 * The `account` key of a repository's rows and version counter: the
 * account's own, or for the system repository, which belongs to no account
 * and is seen by all, `/system` (account names never hold `/`).
 */
export function ownerKey(repository: Repository, account: string): string {
  return repository === 'system' ? SYSTEM_OWNER : account;
}

const SYSTEM_OWNER = '/system';

/** Inserts or replaces a module, then moves its repository's version on (in that order: see moduleVersions). */
export async function saveModule(db: SqlExecutor, row: ModuleRow): Promise<void> {
  await db.run(
    `INSERT INTO srv_yang_modules (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (account, repository, name) DO UPDATE SET
       module = excluded.module, revision = excluded.revision, text = excluded.text, created_at = excluded.created_at`,
    [row.account, row.repository, row.name, row.module, row.revision ?? null, row.text, row.createdAt],
  );
  await nextValue(db, row.account, 'yang-modules');
}

/** Deletes a module; true when it existed. */
export async function deleteModule(
  db: SqlExecutor,
  account: string,
  repository: Repository,
  name: string,
): Promise<boolean> {
  const rows = await db.query(
    'DELETE FROM srv_yang_modules WHERE account = $1 AND repository = $2 AND name = $3 RETURNING name',
    [ownerKey(repository, account), repository, name],
  );
  if (rows.length === 0) return false;
  await nextValue(db, ownerKey(repository, account), 'yang-modules');
  return true;
}

/** One module of an account's repository by file name. */
export async function findModule(
  db: SqlExecutor,
  account: string,
  repository: Repository,
  name: string,
): Promise<ModuleRow | undefined> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM srv_yang_modules WHERE account = $1 AND repository = $2 AND name = $3`,
    [ownerKey(repository, account), repository, name],
  );
  return rows[0] === undefined ? undefined : rowOf(rows[0]);
}

/** Every module an account's modules may import: its own, then the system repository's. */
export async function visibleModules(db: SqlExecutor, account: string): Promise<ModuleRow[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM srv_yang_modules WHERE account IN ($1, $2) ORDER BY repository, name`,
    [account, SYSTEM_OWNER],
  );
  return rows.map(rowOf);
}

/** File names of a repository, n after previous, in name order. */
export async function listModules(
  db: SqlExecutor,
  account: string,
  repository: Repository,
  page: { readonly sql: string; readonly params: readonly (string | number)[] },
): Promise<ModuleRow[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM srv_yang_modules WHERE account = $1 AND repository = $2 ${page.sql}`,
    [ownerKey(repository, account), repository, ...page.params],
  );
  return rows.map(rowOf);
}

/**
 * The versions of what an account's modules compile against: its own
 * repository's counter and the system repository's. A compiled schema
 * cached under older versions is stale. A writer stores the module before
 * it moves the counter, so a reader that sees the new counter sees the new
 * text; one that compiled the new text under the old counter merely
 * compiles again.
 */
export async function moduleVersions(db: SqlExecutor, account: string): Promise<string> {
  const rows = await db.query<{ account: string; value: number | string }>(
    `SELECT account, value FROM srv_counters WHERE name = 'yang-modules' AND account IN ($1, $2)`,
    [account, SYSTEM_OWNER],
  );
  let own = 0;
  let system = 0;
  for (const row of rows) {
    if (row.account === account) own = Number(row.value);
    else system = Number(row.value);
  }
  return `${own}/${system}`;
}
