import { describe, expect, it } from 'vitest';
import { encodeImage } from './encoder.ts';
import { checkNotRollback } from './manifest.ts';
import { ed25519Signer, ed25519Verifier, openSignedManifest, signManifest } from './signature.ts';

const keys = () => crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
const manifest = () =>
  encodeImage(new Uint8Array(500).fill(1), { name: 'fw', version: '1', sequence: 7, chunkSize: 64 });

describe('signed manifests', () => {
  it('opens a manifest signed with Ed25519 through WebCrypto', async () => {
    const { privateKey, publicKey } = await keys();
    const m = await manifest();
    const signed = await signManifest(m, ed25519Signer(privateKey));
    expect(await openSignedManifest(signed, ed25519Verifier(publicKey))).toEqual(m);
  });

  it('refuses a manifest signed by another key, or changed after signing, with signature-invalid', async () => {
    const signer = await keys();
    const other = await keys();
    const signed = await signManifest(await manifest(), ed25519Signer(signer.privateKey));
    await expect(openSignedManifest(signed, ed25519Verifier(other.publicKey))).rejects.toMatchObject({
      code: 'signature-invalid',
    });
    for (const at of [20, 40, signed.length - 70]) {
      const tampered = signed.slice();
      tampered[at]! ^= 1;
      await expect(openSignedManifest(tampered, ed25519Verifier(signer.publicKey))).rejects.toMatchObject({
        code: expect.stringMatching(/signature-invalid|manifest-invalid/),
      });
    }
  });

  it('passes the canonical bytes and signature to a custom verify hook', async () => {
    const m = await manifest();
    const signed = await signManifest(m, async (bytes) => new Uint8Array([bytes.length & 0xff]));
    const seen: number[] = [];
    await openSignedManifest(signed, async (bytes, signature) => {
      seen.push(bytes.length, signature[0]!);
      return true;
    });
    expect(seen[1]).toBe(seen[0]! & 0xff);
    await expect(openSignedManifest(signed, async () => false)).rejects.toMatchObject({ code: 'signature-invalid' });
    await expect(
      openSignedManifest(signed, async () => Promise.reject(new Error('HSM offline'))),
    ).rejects.toMatchObject({ code: 'signature-invalid' });
  });

  it('refuses a sequence number not above the installed one (anti-rollback)', async () => {
    const m = await manifest();
    expect(() => checkNotRollback(m, 6)).not.toThrow();
    expect(() => checkNotRollback(m, 7)).toThrow(
      expect.objectContaining({ code: 'rollback', details: expect.objectContaining({ got: 7, expected: '> 7' }) }),
    );
  });
});
