import { invalid } from '../_internal/fail.ts';

/** Table names of one RBAC store; the prefix lets several stores share a database. */
export interface Tables {
  readonly accounts: string;
  readonly users: string;
  readonly members: string;
  readonly roles: string;
  readonly grants: string;
}

const PREFIX = /^[a-z_][a-z0-9_]{0,30}$/;

/** The tables under `prefix` (lower-case identifier, so it needs no quoting). */
export function tables(prefix: string): Tables {
  if (!PREFIX.test(prefix)) {
    invalid('tablePrefix', 'a lower-case SQL identifier of at most 31 characters', prefix, 'open the store');
  }
  return {
    accounts: `${prefix}accounts`,
    users: `${prefix}users`,
    members: `${prefix}members`,
    roles: `${prefix}member_roles`,
    grants: `${prefix}grants`,
  };
}

/** DDL for both dialects: plain TEXT keys, roles stored by name for readable SQL. */
export function schema(t: Tables): string {
  return `
CREATE TABLE IF NOT EXISTS ${t.accounts} (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS ${t.users} (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ${t.members} (
  account TEXT NOT NULL REFERENCES ${t.accounts} (name),
  user_name TEXT NOT NULL REFERENCES ${t.users} (name),
  PRIMARY KEY (account, user_name)
);
CREATE TABLE IF NOT EXISTS ${t.roles} (
  account TEXT NOT NULL,
  user_name TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (account, user_name, role),
  FOREIGN KEY (account, user_name) REFERENCES ${t.members} (account, user_name)
);
CREATE TABLE IF NOT EXISTS ${t.grants} (
  account TEXT NOT NULL REFERENCES ${t.accounts} (name),
  role TEXT NOT NULL,
  package TEXT NOT NULL,
  rpc TEXT NOT NULL,
  PRIMARY KEY (account, package, rpc, role)
);
`;
}
