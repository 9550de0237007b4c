import type { SqlExecutor } from '@fleetkit/core';
import { addTables } from './schema.ts';

// BYTEA: PostgreSQL's binary type; SQLite takes any type name and keeps a bound Uint8Array as a BLOB
addTables(
  // the server's own key pairs (not an account's object): `packages` signs every manifest
  `CREATE TABLE IF NOT EXISTS srv_signing_keys (
    name TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name)
  )`,
);

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
