import { RbacError, RbacErrorCode } from './errors.ts';

// The delimiters the real server accepts in a
// `<D>account<D>name` login (exodm_rpc_yaws_auth:find_account;
// docs/sources.md, The real exodm server, items 4 and 5).
const DELIMITERS = "*=#_-/&+!%^:;.,()[]{}'`<>\\$";

/** A Basic-auth login split into the user and the account it names, if any. */
export interface Login {
  readonly user: string;
  readonly account?: string;
}

/**
 * Splits a Basic-auth user name written `<D>account<D>user`, where the first
 * character D is a delimiter (`*acme*alice`); any other login is a plain
 * user name.
 */
export function parseLogin(login: string): Login {
  const d = login[0];
  if (d === undefined || !DELIMITERS.includes(d)) return { user: login };
  const end = login.indexOf(d, 1);
  if (end <= 1 || end === login.length - 1) return { user: login };
  return { account: login.slice(1, end), user: login.slice(end + 1) };
}

/** What account selection looks at for one request. */
export interface AccountSelection {
  /** The Basic-auth user name as sent (plain or `<D>account<D>user`). */
  readonly login: string;
  /** The request's `account` param, if it has one. */
  readonly account?: string | undefined;
}

/** The user and account a request acts as. */
export interface Caller {
  readonly user: string;
  readonly account: string;
}

/**
 * Picks the account a request acts on, in the real server's order
 * (docs/sources.md, The real exodm server, item 5): the `account` param; else the account in a
 * `<D>account<D>user` login; else the user's only account; otherwise throws
 * `account-not-specified`. Membership is not checked here: `can()` denies a
 * non-member with `not-a-member`.
 */
export function selectAccount(selection: AccountSelection, accountsOf: (user: string) => readonly string[]): Caller {
  const login = parseLogin(selection.login);
  const named = selection.account ?? login.account;
  if (named !== undefined) return { user: login.user, account: named };
  const accounts = accountsOf(login.user);
  if (accounts.length === 1) return { user: login.user, account: accounts[0]! };
  const got = accounts.length === 0 ? 'no account' : `${accounts.length} accounts`;
  throw new RbacError(
    RbacErrorCode.AccountNotSpecified,
    `Cannot choose an account for ${JSON.stringify(login.user)} as the user has ${got}: pass an "account" param or log in as *account*${login.user}`,
    { details: { path: 'account', expected: 'an account param or a *account*user login', got: accounts } },
  );
}
