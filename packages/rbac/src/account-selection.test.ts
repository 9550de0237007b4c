import { describe, expect, it } from 'vitest';
import { parseLogin, selectAccount } from './account-selection.ts';
import { RbacError } from './errors.ts';

const accountsOf = (user: string): string[] => ({ solo: ['acme'], multi: ['acme', 'beta'] })[user] ?? [];

describe('parseLogin', () => {
  it('splits *account*user at the second delimiter', () => {
    expect(parseLogin('*acme*alice')).toEqual({ account: 'acme', user: 'alice' });
  });

  it('takes any delimiter of the real server as the first character, and lets the user name contain it', () => {
    expect(parseLogin('-acme-acme-admin')).toEqual({ account: 'acme', user: 'acme-admin' });
    expect(parseLogin('/beta/bob')).toEqual({ account: 'beta', user: 'bob' });
    expect(parseLogin('#a.b#c')).toEqual({ account: 'a.b', user: 'c' });
  });

  it('reads a plain name, or a malformed prefix, as a user name', () => {
    expect(parseLogin('alice')).toEqual({ user: 'alice' });
    expect(parseLogin('**alice')).toEqual({ user: '**alice' });
    expect(parseLogin('*acme*')).toEqual({ user: '*acme*' });
    expect(parseLogin('*acme')).toEqual({ user: '*acme' });
    expect(parseLogin('')).toEqual({ user: '' });
  });
});

describe('selectAccount', () => {
  it('prefers the account param over everything else', () => {
    expect(selectAccount({ login: '*beta*multi', account: 'acme' }, accountsOf)).toEqual({
      user: 'multi',
      account: 'acme',
    });
  });

  it('uses the account of a *account*user login when no param is given', () => {
    expect(selectAccount({ login: '*beta*multi' }, accountsOf)).toEqual({ user: 'multi', account: 'beta' });
  });

  it('falls back to the user’s only account', () => {
    expect(selectAccount({ login: 'solo' }, accountsOf)).toEqual({ user: 'solo', account: 'acme' });
  });

  it('throws account-not-specified for a user of several accounts who names none', () => {
    const error = (() => {
      try {
        return selectAccount({ login: 'multi' }, accountsOf);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RbacError);
    expect(error).toMatchObject({ code: 'account-not-specified', details: { path: 'account', got: ['acme', 'beta'] } });
    expect((error as Error).message).toContain('*account*multi');
  });

  it('throws account-not-specified for a user in no account who names none', () => {
    expect(() => selectAccount({ login: 'nobody' }, accountsOf)).toThrow(
      expect.objectContaining({ code: 'account-not-specified' }),
    );
  });

  it('names a non-member’s account anyway, leaving the denial to can()', () => {
    expect(selectAccount({ login: 'solo', account: 'beta' }, accountsOf)).toEqual({ user: 'solo', account: 'beta' });
  });
});
