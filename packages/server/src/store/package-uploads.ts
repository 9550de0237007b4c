import type { SqlExecutor, SqlValue } from '@fleetkit/core';
import { addTables } from './schema.ts';

// BYTEA: PostgreSQL's binary type; SQLite takes any type name and keeps a bound Uint8Array as a BLOB
addTables(
  // an image's chunks, of an upload under way or of a complete package (store/packages.ts)
  `CREATE TABLE IF NOT EXISTS srv_package_chunks (
    account TEXT NOT NULL,
    package TEXT NOT NULL,
    idx BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (account, package, idx)
  )`,
);

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
