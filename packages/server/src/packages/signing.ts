import { ed25519Signer, type SignHook } from '@fleetkit/chunked';
import type { SqlExecutor } from '@fleetkit/core';
import { readKeyPair, storeKeyPair } from '../store/signing-keys.ts';

/** The name of the key pair that signs package manifests. */
const KEY_NAME = 'packages';

/** The server's manifest signing key: the hook that signs and the public key devices verify with. */
export interface SigningKey {
  readonly sign: SignHook;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/**
 * The server's Ed25519 key pair for manifests (chunked's signed manifest):
 * generated on the first start and kept in the database, so every process
 * sharing it, and every restart, signs with the same key and devices keep
 * trusting it. The private key is stored as PKCS #8 bytes: whoever reads the
 * database can sign packages (docs/decisions/server-packages.md).
 */
export async function loadSigningKey(db: SqlExecutor, now: number): Promise<SigningKey> {
  let stored = await readKeyPair(db, KEY_NAME);
  if (stored === undefined) {
    const pair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
    await storeKeyPair(
      db,
      KEY_NAME,
      {
        privateKey: new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
        publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)),
      },
      now,
    );
    stored = (await readKeyPair(db, KEY_NAME))!;
  }
  const privateKey = await crypto.subtle.importKey('pkcs8', new Uint8Array(stored.privateKey), 'Ed25519', false, [
    'sign',
  ]);
  return { sign: ed25519Signer(privateKey), publicKey: stored.publicKey };
}
