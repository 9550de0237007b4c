import { secretsEqual } from '@fleetkit/core';

/** Who sent a message, as an authenticator established it. */
export interface Principal {
  readonly user: string;
  /** The account the user acts on, when the credentials name one. */
  readonly account?: string;
}

/** Credentials from an `Authorization: Basic` header (RFC 7617). */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/** Checks a request's credentials; the HTTP handler answers 401 with `challenge` when it yields none. */
export interface Authenticator {
  authenticate(request: Request): Promise<Principal | undefined>;
  /** The `WWW-Authenticate` header value sent with a 401. */
  readonly challenge: string;
}

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** The protection space named in the challenge (RFC 7617 §2). */
  readonly realm: string;
  /** Accepts or refuses credentials; compare secrets with `secretsEqual` or a password hash, never `===`. */
  readonly verify: (
    credentials: BasicCredentials,
    request: Request,
  ) => Principal | undefined | Promise<Principal | undefined>;
}

const TOKEN68 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses `Authorization: Basic <base64(user:password)>` as UTF-8 (RFC 7617 §2.1); `undefined` if malformed. */
export function parseBasicAuth(header: string | null): BasicCredentials | undefined {
  if (header === null) return undefined;
  const match = /^basic +(\S+) *$/i.exec(header);
  const token = match?.[1];
  if (token === undefined || token.length % 4 !== 0 || !TOKEN68.test(token)) return undefined;
  let text: string;
  try {
    const binary = atob(token);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  // §2: the user-id cannot contain a colon, the password can
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const user = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (hasControl(user) || hasControl(password)) return undefined;
  return { user, password };
}

// RFC 7617 §2: user-id and password MUST NOT contain control characters (CTL: 0x00-0x1f, 0x7f)
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The `Authorization` header value for credentials (UTF-8, RFC 7617 §2.1). */
export function basicAuthHeader(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** HTTP basic authentication (RFC 7617) with a caller-supplied credential check. */
export function basicAuth(options: BasicAuthOptions): Authenticator {
  const realm = options.realm.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return {
    challenge: `Basic realm="${realm}", charset="UTF-8"`,
    async authenticate(request) {
      const credentials = parseBasicAuth(request.headers.get('authorization'));
      return credentials === undefined ? undefined : await options.verify(credentials, request);
    },
  };
}

/** A user of {@link staticCredentials}: a password, and optionally the account it acts on. */
export type StaticUser = string | { readonly password: string; readonly account?: string };

/**
 * A `verify` for a fixed table of users (tests, single-tenant tools). Every
 * attempt compares one secret in constant time, so response times do not
 * reveal whether a user exists.
 */
export function staticCredentials(users: Readonly<Record<string, StaticUser>>): BasicAuthOptions['verify'] {
  const table = new Map(Object.entries(users).map(([name, u]) => [name, typeof u === 'string' ? { password: u } : u]));
  return async ({ user, password }) => {
    const entry = table.get(user);
    const ok = await secretsEqual(password, entry?.password ?? '\u0000no such user');
    if (!ok || entry === undefined) return undefined;
    return entry.account === undefined ? { user } : { user, account: entry.account };
  };
}
