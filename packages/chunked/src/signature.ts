import { Packr } from 'msgpackr';
import { invalid } from './_internal/invalid.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import type { Manifest } from './manifest.ts';
import { decodeManifest, encodeManifest } from './manifest-codec.ts';

/** Signs canonical manifest bytes; returns the signature. */
export type SignHook = (bytes: Uint8Array) => Promise<Uint8Array>;
/** Verifies a signature over canonical manifest bytes (an HSM, a key list, a COSE verifier…). */
export type VerifyHook = (bytes: Uint8Array, signature: Uint8Array) => Promise<boolean>;

const packr = new Packr({ useRecords: false, bundleStrings: false });
const ENVELOPE = 1;

/** A {@link SignHook} signing with an Ed25519 private key through WebCrypto. */
export function ed25519Signer(privateKey: CryptoKey): SignHook {
  return async (bytes) => new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, ownBuffer(bytes)));
}

/** A {@link VerifyHook} checking an Ed25519 signature through WebCrypto. */
export function ed25519Verifier(publicKey: CryptoKey): VerifyHook {
  return (bytes, signature) => crypto.subtle.verify('Ed25519', publicKey, ownBuffer(signature), ownBuffer(bytes));
}

/**
 * A signed manifest: MessagePack `[1, canonical manifest bytes, signature]`.
 * The signature covers exactly the bytes a device decodes, so nothing outside
 * it can be altered.
 */
export async function signManifest(manifest: Manifest, sign: SignHook): Promise<Uint8Array> {
  const bytes = encodeManifest(manifest);
  return new Uint8Array(packr.pack([ENVELOPE, bytes, await sign(bytes)]));
}

/**
 * Verifies a signed manifest with `verify`, then decodes it; throws
 * `signature-invalid` before anything of the manifest is trusted.
 */
export async function openSignedManifest(envelope: Uint8Array, verify: VerifyHook): Promise<Manifest> {
  let value: unknown;
  try {
    value = packr.unpack(envelope);
  } catch (cause) {
    throw new ChunkedError(
      ChunkedErrorCode.ManifestInvalid,
      `Cannot decode signed manifest: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== ENVELOPE)
    invalid('signedManifest', `[${ENVELOPE}, manifest, signature]`, value);
  const [, bytes, signature] = value as [number, unknown, unknown];
  if (!(bytes instanceof Uint8Array)) invalid('signedManifest.manifest', 'binary', bytes);
  if (!(signature instanceof Uint8Array)) invalid('signedManifest.signature', 'binary', signature);
  let ok = false;
  try {
    ok = await verify(bytes, signature);
  } catch (cause) {
    throw new ChunkedError(
      ChunkedErrorCode.SignatureInvalid,
      `Cannot verify manifest signature: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (!ok) {
    throw new ChunkedError(ChunkedErrorCode.SignatureInvalid, 'Cannot accept manifest: its signature does not verify', {
      details: {
        path: 'signedManifest.signature',
        expected: 'a valid signature over the manifest bytes',
        got: `${signature.length} bytes`,
      },
    });
  }
  return decodeManifest(bytes);
}

// WebCrypto takes ArrayBuffer-backed views only; msgpackr may hand out views of a pooled buffer.
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
