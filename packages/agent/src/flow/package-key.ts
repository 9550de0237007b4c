import { decodeBase64, encodeBase64 } from '../_internal/base64.ts';
import type { Flow } from './flow.ts';
import { packageCall } from './package-calls.ts';

// Keys imported so far by their base64 text: a fleet of agents of one server shares one.
const imported = new Map<string, Promise<CryptoKey>>();
const IMPORTED_LIMIT = 16;

function importKey(text: string): Promise<CryptoKey> {
  let key = imported.get(text);
  if (key === undefined) {
    if (imported.size >= IMPORTED_LIMIT) imported.clear();
    const raw = decodeBase64(text) ?? new Uint8Array(0);
    key = crypto.subtle.importKey('raw', raw, 'Ed25519', false, ['verify']);
    imported.set(text, key);
    key.catch(() => imported.delete(text));
  }
  return key;
}

/**
 * The key the device trusts for manifests: the one in its state, else the
 * server's, fetched once and pinned (trust on first use; a device
 * provisioned with the key gets a state holding it). A pinned key is never
 * replaced by what a server says later.
 */
export async function pinnedKey(flow: Flow): Promise<CryptoKey> {
  const pinned = flow.state.packageKey;
  if (pinned !== undefined) return importKey(pinned);
  const raw = await packageCall(flow, 'package-key', (channel, signal) => channel.key(signal));
  const text = encodeBase64(raw);
  const key = await importKey(text);
  await flow.save({ ...flow.state, packageKey: text });
  flow.logger.info('package key pinned', { key: text });
  return key;
}
