import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyRing } from './keys.ts';

describe('KeyRing', () => {
  const ring = new KeyRing(['alpha-key', 'béta-κλειδί']);

  it('accepts each configured key, including non-ASCII ones', () => {
    expect(ring.accepts('alpha-key')).toBe(true);
    expect(ring.accepts('béta-κλειδί')).toBe(true);
  });

  it('refuses prefixes, extensions, case changes, the empty string and a missing key', () => {
    for (const guess of ['alpha-ke', 'alpha-key ', 'ALPHA-KEY', 'béta', '', undefined])
      expect(ring.accepts(guess)).toBe(false);
  });

  it('accepts exactly the configured strings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }), fc.string(), (keys, guess) => {
        return new KeyRing(keys).accepts(guess) === keys.includes(guess);
      }),
    );
  });
});
