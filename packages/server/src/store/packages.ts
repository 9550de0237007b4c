import type { SqlExecutor, SqlValue } from '@fleetkit/core';
import { pageClause } from '../api/paging.ts';
import type { Page } from './devices.ts';
import { readJson } from './json.ts';
import { addTables } from './schema.ts';

// BYTEA: PostgreSQL's binary type; SQLite takes any type name and keeps a bound Uint8Array as a BLOB
addTables(
  // manual §5.6: an image with its manifest, a YANG module, prerequisites and the packages it upgrades.
  // `state` is `uploading` while the image streams in (the name is taken, nothing is listed) and `ready`
  // once every chunk is stored and the manifest signed; `upload_token` owns an unfinished upload
  `CREATE TABLE IF NOT EXISTS srv_packages (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    upload_token TEXT,
    version TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    size BIGINT NOT NULL,
    chunk_size BIGINT NOT NULL,
    root TEXT,
    manifest BYTEA,
    prerequisites TEXT NOT NULL,
    upgrade_from TEXT NOT NULL,
    module TEXT,
    config_container TEXT,
    description TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, name)
  )`,
  `CREATE TABLE IF NOT EXISTS srv_package_chunks (
    account TEXT NOT NULL,
    package TEXT NOT NULL,
    idx BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (account, package, idx)
  )`,
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
  // the server's own key pairs (not an account's object): `packages` signs every manifest
  `CREATE TABLE IF NOT EXISTS srv_signing_keys (
    name TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name)
  )`,
);

/** A package of an account, as stored once its image is complete. */
export interface PackageRecord {
  readonly name: string;
  readonly version: string;
  /** Monotonic per product: a device refuses a manifest not above what it runs. */
  readonly sequence: number;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunks: number;
  /** The Merkle root in hex: the image's ETag and the transfer's identity. */
  readonly root: string;
  readonly prerequisites: readonly string[];
  readonly upgradeFrom: readonly string[];
  /** The YANG module of its RPCs and configuration (manual §5.6 item 2). */
  readonly module: string | undefined;
  readonly configContainer: string | undefined;
  readonly description: string | undefined;
  readonly createdAt: number;
}

type PackageRow = {
  name: string;
  version: string;
  sequence: number | string;
  size: number | string;
  chunk_size: number | string;
  root: string | null;
  prerequisites: string;
  upgrade_from: string;
  module: string | null;
  config_container: string | null;
  description: string | null;
  created_at: number | string;
};

const COLUMNS = `name, version, sequence, size, chunk_size, root, prerequisites, upgrade_from, module,
  config_container, description, created_at`;

function packageOf(row: PackageRow): PackageRecord {
  const size = Number(row.size);
  const chunkSize = Number(row.chunk_size);
  return {
    name: row.name,
    version: row.version,
    sequence: Number(row.sequence),
    size,
    chunkSize,
    chunks: Math.ceil(size / chunkSize),
    root: row.root ?? '',
    prerequisites: readJson<string[]>(row.prerequisites, []),
    upgradeFrom: readJson<string[]>(row.upgrade_from, []),
    module: row.module ?? undefined,
    configContainer: row.config_container ?? undefined,
    description: row.description ?? undefined,
    createdAt: Number(row.created_at),
  };
}

/** An account's complete package, or undefined (an upload still streaming is no package yet). */
export async function findPackage(db: SqlExecutor, account: string, name: string): Promise<PackageRecord | undefined> {
  const rows = await db.query<PackageRow>(
    `SELECT ${COLUMNS} FROM srv_packages WHERE account = $1 AND name = $2 AND state = 'ready'`,
    [account, name],
  );
  return rows[0] === undefined ? undefined : packageOf(rows[0]);
}

/** The signed manifest envelope of a complete package. */
export async function packageManifest(db: SqlExecutor, account: string, name: string): Promise<Uint8Array | undefined> {
  const rows = await db.query<{ manifest: Uint8Array | null }>(
    `SELECT manifest FROM srv_packages WHERE account = $1 AND name = $2 AND state = 'ready'`,
    [account, name],
  );
  return rows[0]?.manifest ?? undefined;
}

/** One page of an account's complete packages in name order. */
export async function listPackages(db: SqlExecutor, account: string, page: Page): Promise<PackageRecord[]> {
  const tail = pageClause('name', page, 2);
  const rows = await db.query<PackageRow>(
    `SELECT ${COLUMNS} FROM srv_packages WHERE account = $1 AND state = 'ready' ${tail.sql}`,
    [account, ...tail.params],
  );
  return rows.map(packageOf);
}

/** What an upload declares before its image is read. */
export interface PackageDeclaration {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly chunkSize: number;
  readonly prerequisites: readonly string[];
  readonly upgradeFrom: readonly string[];
  readonly module: string | undefined;
  readonly configContainer: string | undefined;
  readonly description: string | undefined;
}

/**
 * Takes a package name for an upload: false when a package of that name
 * exists, or another upload holds it and wrote within `staleBefore`. An
 * upload abandoned longer ago (its process died) is taken over, its chunks
 * dropped.
 */
export async function reservePackage(
  db: SqlExecutor,
  account: string,
  upload: {
    readonly declaration: PackageDeclaration;
    readonly token: string;
    readonly now: number;
    readonly staleBefore: number;
  },
): Promise<boolean> {
  const d = upload.declaration;
  const taken = await db.query(
    `UPDATE srv_packages SET upload_token = $3, updated_at = $4
     WHERE account = $1 AND name = $2 AND state = 'uploading' AND updated_at < $5 RETURNING name`,
    [account, d.name, upload.token, upload.now, upload.staleBefore],
  );
  if (taken.length > 0)
    await db.run('DELETE FROM srv_package_chunks WHERE account = $1 AND package = $2', [account, d.name]);
  const values: SqlValue[] = [
    account,
    d.name,
    upload.token,
    d.version,
    d.sequence,
    d.chunkSize,
    JSON.stringify(d.prerequisites),
    JSON.stringify(d.upgradeFrom),
    d.module ?? null,
    d.configContainer ?? null,
    d.description ?? null,
    upload.now,
  ];
  if (taken.length > 0) {
    await db.run(
      `UPDATE srv_packages SET version = $4, sequence = $5, chunk_size = $6, prerequisites = $7, upgrade_from = $8,
         module = $9, config_container = $10, description = $11, created_at = $12, updated_at = $12
       WHERE account = $1 AND name = $2 AND upload_token = $3`,
      values,
    );
    return true;
  }
  const rows = await db.query(
    `INSERT INTO srv_packages (account, name, state, upload_token, version, sequence, size, chunk_size, prerequisites,
       upgrade_from, module, config_container, description, created_at, updated_at)
     VALUES ($1, $2, 'uploading', $3, $4, $5, 0, $6, $7, $8, $9, $10, $11, $12, $12)
     ON CONFLICT (account, name) DO NOTHING RETURNING name`,
    values,
  );
  return rows.length > 0;
}

/** Stores chunks of an upload this process still owns; false when the reservation was lost. */
export async function writeChunks(
  db: SqlExecutor,
  account: string,
  upload: { readonly name: string; readonly token: string; readonly now: number },
  chunks: readonly { readonly index: number; readonly bytes: Uint8Array }[],
): Promise<boolean> {
  const owned = await db.query(
    `UPDATE srv_packages SET updated_at = $4 WHERE account = $1 AND name = $2 AND upload_token = $3
       AND state = 'uploading' RETURNING name`,
    [account, upload.name, upload.token, upload.now],
  );
  if (owned.length === 0 || chunks.length === 0) return owned.length > 0;
  const params: SqlValue[] = [account, upload.name];
  const rows = chunks.map((chunk) => {
    params.push(chunk.index, chunk.bytes);
    return `($1, $2, $${params.length - 1}, $${params.length})`;
  });
  await db.run(`INSERT INTO srv_package_chunks (account, package, idx, bytes) VALUES ${rows.join(', ')}`, params);
  return true;
}

/** Makes an upload a package: size, root and signed manifest; false when the reservation was lost. */
export async function completePackage(
  db: SqlExecutor,
  account: string,
  upload: {
    readonly name: string;
    readonly token: string;
    readonly size: number;
    readonly root: string;
    readonly manifest: Uint8Array;
    readonly now: number;
  },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE srv_packages SET state = 'ready', upload_token = NULL, size = $4, root = $5, manifest = $6, updated_at = $7
     WHERE account = $1 AND name = $2 AND upload_token = $3 AND state = 'uploading' RETURNING name`,
    [account, upload.name, upload.token, upload.size, upload.root, upload.manifest, upload.now],
  );
  return rows.length > 0;
}

/** Forgets a failed upload: its chunks and its reservation (only if still its own). */
export async function abandonUpload(
  db: SqlExecutor,
  account: string,
  upload: { readonly name: string; readonly token: string },
) {
  const rows = await db.query(
    `DELETE FROM srv_packages WHERE account = $1 AND name = $2 AND upload_token = $3 AND state = 'uploading'
     RETURNING name`,
    [account, upload.name, upload.token],
  );
  if (rows.length > 0)
    await db.run('DELETE FROM srv_package_chunks WHERE account = $1 AND package = $2', [account, upload.name]);
}

/** Chunks `from` to `to` (excluded) of a package's image, in index order. */
export async function readChunks(
  db: SqlExecutor,
  account: string,
  range: { readonly name: string; readonly from: number; readonly to: number },
): Promise<{ readonly index: number; readonly bytes: Uint8Array }[]> {
  const rows = await db.query<{ idx: number | string; bytes: Uint8Array }>(
    `SELECT idx, bytes FROM srv_package_chunks WHERE account = $1 AND package = $2 AND idx >= $3 AND idx < $4
     ORDER BY idx`,
    [account, range.name, range.from, range.to],
  );
  return rows.map((row) => ({ index: Number(row.idx), bytes: row.bytes }));
}

/** Names of the account's complete packages among `names`. */
export async function existingPackages(
  db: SqlExecutor,
  account: string,
  names: readonly string[],
): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const marks = names.map((_, i) => `$${i + 2}`).join(', ');
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM srv_packages WHERE account = $1 AND state = 'ready' AND name IN (${marks})`,
    [account, ...names],
  );
  return new Set(rows.map((row) => row.name));
}

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

/** A server key pair as stored: PKCS #8 private key and raw public key. */
export interface StoredKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The key pair stored under `name`, or undefined. */
export async function readKeyPair(db: SqlExecutor, name: string): Promise<StoredKeyPair | undefined> {
  const rows = await db.query<{ private_key: Uint8Array; public_key: Uint8Array }>(
    'SELECT private_key, public_key FROM srv_signing_keys WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { privateKey: new Uint8Array(row.private_key), publicKey: new Uint8Array(row.public_key) };
}

/** Stores a key pair under `name` unless one is there (another process may have stored it first). */
export async function storeKeyPair(db: SqlExecutor, name: string, pair: StoredKeyPair, now: number): Promise<void> {
  await db.run(
    `INSERT INTO srv_signing_keys (name, private_key, public_key, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING`,
    [name, pair.privateKey, pair.publicKey, now],
  );
}
