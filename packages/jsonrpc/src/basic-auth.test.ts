import { describe, expect, it } from 'vitest';
import { basicAuth, basicAuthHeader, parseBasicAuth, staticCredentials } from './basic-auth.ts';

describe('parseBasicAuth (RFC 7617)', () => {
  it('reads the example of §2', () => {
    expect(parseBasicAuth('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({ user: 'Aladdin', password: 'open sesame' });
  });

  it('reads the UTF-8 example of §2.1 and writes it back', () => {
    expect(parseBasicAuth('Basic dGVzdDoxMjPCow==')).toEqual({ user: 'test', password: '123£' });
    expect(basicAuthHeader('test', '123£')).toBe('Basic dGVzdDoxMjPCow==');
  });

  it('takes the scheme in any case and keeps colons in the password', () => {
    expect(parseBasicAuth(`bAsIc ${btoa('u:a:b')}`)).toEqual({ user: 'u', password: 'a:b' });
  });

  it.each([
    ['no header', null],
    ['another scheme', 'Bearer abc'],
    ['no colon', `Basic ${btoa('user')}`],
    ['bad base64', 'Basic !!!!'],
    ['base64 of bad length', 'Basic QWxh'],
    ['invalid UTF-8', `Basic ${btoa('\xff\xfe:x')}`],
    ['a control character', `Basic ${btoa('a\u0001:x')}`],
    ['nothing after the scheme', 'Basic '],
  ])('refuses %s', (_, header) => {
    expect(parseBasicAuth(header)).toBeUndefined();
  });
});

describe('basicAuth with staticCredentials', () => {
  const auth = basicAuth({
    realm: 'exo"dm',
    verify: staticCredentials({ alice: 'pw', 'acme/admin': { password: 'secret', account: 'acme' } }),
  });
  const request = (authorization?: string): Request =>
    new Request('http://x/', authorization === undefined ? {} : { headers: { authorization } });

  it('accepts the right password and yields the principal', async () => {
    expect(await auth.authenticate(request(basicAuthHeader('alice', 'pw')))).toEqual({ user: 'alice' });
    expect(await auth.authenticate(request(basicAuthHeader('acme/admin', 'secret')))).toEqual({
      user: 'acme/admin',
      account: 'acme',
    });
  });

  it('refuses a wrong password, an unknown user and a missing header', async () => {
    expect(await auth.authenticate(request(basicAuthHeader('alice', 'pW')))).toBeUndefined();
    expect(await auth.authenticate(request(basicAuthHeader('mallory', 'pw')))).toBeUndefined();
    expect(await auth.authenticate(request())).toBeUndefined();
  });

  it('quotes the realm and announces UTF-8 in the challenge (§2.1)', () => {
    expect(auth.challenge).toBe('Basic realm="exo\\"dm", charset="UTF-8"');
  });
});
