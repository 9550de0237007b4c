import type { Random } from '@fleetkit/core';
import { generatePassword } from '../password.ts';
import { isRole, type Role } from '../roles.ts';
import { invalid } from './fail.ts';

/** A role that `account` may hold; `master` only in the system account. */
export function checkRole(role: unknown, account: string, systemAccount: string): Role {
  if (!isRole(role)) invalid('role', 'one of master, admin, view, device, config, execute', role);
  // docs/decisions/rbac-bootstrap.md: `master` may create and delete
  // accounts, so only the installation's own account may hold it
  if (role === 'master' && account !== systemAccount) {
    invalid('role', `a role other than master outside the system account ${systemAccount}`, role);
  }
  return role;
}

/** A password of `min` to 1024 characters; the error tells the length, never the password. */
export function checkPassword(password: unknown, path: string, min: number): string {
  if (typeof password !== 'string' || password.length < min || password.length > 1024) {
    invalid(
      path,
      `a string of ${min} to 1024 characters`,
      typeof password === 'string' ? `${password.length} characters` : typeof password,
    );
  }
  return password;
}

/** The configured first password, or a generated one (manual §5.1: never a built-in default). */
export function firstPassword(
  given: string | undefined,
  path: string,
  min: number,
  random: Random,
): { password: string; generated: boolean } {
  if (given !== undefined) return { password: checkPassword(given, path, min), generated: false };
  return { password: generatePassword(random), generated: true };
}
