import type { SqlExecutor } from '@fleetkit/core';
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
