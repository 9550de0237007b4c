import { SeededRandom } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('s3cret-words', new SeededRandom(1), 1000);
    expect(await verifyPassword('s3cret-words', hash)).toBe(true);
    expect(await verifyPassword('s3cret-word', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const random = new SeededRandom(2);
    expect(await hashPassword('same', random, 1000)).not.toBe(await hashPassword('same', random, 1000));
  });

  it('encodes scheme and rounds so old hashes verify after the default changes', async () => {
    const hash = await hashPassword('pw', new SeededRandom(3), 1234);
    expect(hash).toMatch(/^pbkdf2-sha256\$1234\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
  });

  it('matches the PBKDF2-HMAC-SHA-256 test vector of RFC 7914 §11', async () => {
    // RFC 7914 §11: P="passwd", S="salt", c=1, dkLen=64; first 32 bytes
    const expected = '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc';
    const hash = `pbkdf2-sha256$1$${btoa('salt')}$${btoa(String.fromCharCode(...expected.match(/../g)!.map((h) => parseInt(h, 16))))}`;
    expect(await verifyPassword('passwd', hash)).toBe(true);
  });

  it('never matches a malformed hash', async () => {
    for (const bad of [
      '',
      'plain',
      'md5$1$a$b',
      'pbkdf2-sha256$0$c2FsdA==$AAAA',
      'pbkdf2-sha256$x$c2FsdA==$AAAA',
      'pbkdf2-sha256$1$!!$AAAA$x',
    ]) {
      expect(await verifyPassword('pw', bad)).toBe(false);
    }
  });

  it('rejects a non-positive iteration count', async () => {
    await expect(hashPassword('pw', new SeededRandom(4), 0)).rejects.toMatchObject({
      code: 'validation-failed',
      details: { path: 'iterations' },
    });
  });

  it('generates 24 URL-safe characters', () => {
    const pw = generatePassword(new SeededRandom(5));
    expect(pw).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword(new SeededRandom(6))).not.toBe(pw);
  });
});
