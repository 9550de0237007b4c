import type { SqlExecutor } from '@fleetkit/core';
import { readJson } from './json.ts';
import { addTables } from './schema.ts';

addTables(
  // manual §5.5 item 4: the packages devices of a type may install; `type_created` ties a row to the
  // type it was given for, so a type deleted and made again starts with none
  `CREATE TABLE IF NOT EXISTS srv_type_packages (
    account TEXT NOT NULL,
    device_type TEXT NOT NULL,
    package TEXT NOT NULL,
    type_created BIGINT NOT NULL,
    arguments TEXT NOT NULL,
    PRIMARY KEY (account, device_type, package)
  )`,
  'CREATE INDEX IF NOT EXISTS srv_type_packages_package ON srv_type_packages (account, package)',
  // the 1.x add-package-members: the devices push-package acts on
  `CREATE TABLE IF NOT EXISTS srv_package_members (
    account TEXT NOT NULL,
    package TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (account, package, device_id)
  )`,
);

/** The arguments a device type gives a package's operations (2.x add-package-to-device-type). */
export interface TypeArguments {
  readonly install?: unknown;
  readonly upgrade?: unknown;
  readonly uninstall?: unknown;
}

/** Allows a package on a device type (replacing its arguments). */
export async function allowPackage(
  db: SqlExecutor,
  account: string,
  allowance: {
    readonly type: string;
    readonly typeCreated: number;
    readonly package: string;
    readonly arguments: TypeArguments;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO srv_type_packages (account, device_type, package, type_created, arguments) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account, device_type, package) DO UPDATE SET
       type_created = excluded.type_created, arguments = excluded.arguments`,
    [account, allowance.type, allowance.package, allowance.typeCreated, JSON.stringify(allowance.arguments)],
  );
}

/** Takes a package off a device type's allowed list; false when it was not on it. */
export async function disallowPackage(
  db: SqlExecutor,
  account: string,
  allowance: { readonly type: string; readonly typeCreated: number; readonly package: string },
): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM srv_type_packages WHERE account = $1 AND device_type = $2 AND package = $3 RETURNING type_created`,
    [account, allowance.type, allowance.package],
  );
  return rows.some((row) => Number(row.type_created) === allowance.typeCreated);
}

/** The arguments of a package allowed on a type (made at `typeCreated`), or undefined when it is not allowed. */
export async function typeAllowance(
  db: SqlExecutor,
  account: string,
  query: { readonly type: string; readonly typeCreated: number; readonly package: string },
): Promise<TypeArguments | undefined> {
  const rows = await db.query<{ arguments: string }>(
    `SELECT arguments FROM srv_type_packages
     WHERE account = $1 AND device_type = $2 AND package = $3 AND type_created = $4`,
    [account, query.type, query.package, query.typeCreated],
  );
  return rows[0] === undefined ? undefined : readJson<TypeArguments>(rows[0].arguments, {});
}

/** The packages allowed on a type, in name order. */
export async function packagesOfType(
  db: SqlExecutor,
  account: string,
  type: { readonly name: string; readonly createdAt: number },
): Promise<string[]> {
  const rows = await db.query<{ package: string }>(
    `SELECT package FROM srv_type_packages WHERE account = $1 AND device_type = $2 AND type_created = $3
     ORDER BY package`,
    [account, type.name, type.createdAt],
  );
  return rows.map((row) => row.package);
}

/** The device types (still the ones the rows were made for) that allow a package, in name order. */
export async function typesWithPackage(db: SqlExecutor, account: string, pkg: string): Promise<string[]> {
  const rows = await db.query<{ device_type: string }>(
    `SELECT p.device_type FROM srv_type_packages p
       JOIN srv_device_types t ON t.account = p.account AND t.name = p.device_type AND t.created_at = p.type_created
     WHERE p.account = $1 AND p.package = $2 ORDER BY p.device_type`,
    [account, pkg],
  );
  return rows.map((row) => row.device_type);
}

/** Adds devices to a package's 1.x members. */
export async function addPackageMember(db: SqlExecutor, account: string, pkg: string, device: string): Promise<void> {
  await db.run(
    `INSERT INTO srv_package_members (account, package, device_id) VALUES ($1, $2, $3)
     ON CONFLICT (account, package, device_id) DO NOTHING`,
    [account, pkg, device],
  );
}

/** A package's 1.x member devices, in id order. */
export async function packageMembers(db: SqlExecutor, account: string, pkg: string): Promise<string[]> {
  const rows = await db.query<{ device_id: string }>(
    'SELECT device_id FROM srv_package_members WHERE account = $1 AND package = $2 ORDER BY device_id',
    [account, pkg],
  );
  return rows.map((row) => row.device_id);
}
