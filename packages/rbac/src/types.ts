import type { Logger, Random, SqlExecutor } from '@fleetkit/core';
import type { LoginCache } from './_internal/login-cache.ts';
import type { MethodIndex } from './methods.ts';
import type { RbacModel } from './model.ts';
import type { Role } from './roles.ts';
import type { SqlRbacStore } from './store/sql-store.ts';

/** What the engine was opened with, resolved to real values. */
export interface EngineContext {
  readonly store: SqlRbacStore;
  readonly methods: MethodIndex;
  readonly model: RbacModel;
  readonly random: Random;
  readonly logger: Logger;
  readonly iterations: number;
  readonly minPasswordLength: number;
  readonly systemAccount: string;
  /** Logins that verified, ended by a password change or deletion. */
  readonly logins: LoginCache;
  /** Tells other processes about a change, inside its transaction. */
  readonly announce: ((tx: SqlExecutor) => Promise<void>) | undefined;
}

/** A member's role in an account (`add-user-to-role`). */
export interface RoleAssignment {
  readonly account: string;
  readonly user: string;
  readonly role: Role;
}

/** A new account; its admin `<name>-admin` is created with it (manual §5.1). */
export interface NewAccount {
  readonly name: string;
  /** First password of the account admin; generated and printed once when absent. */
  readonly adminPassword?: string | undefined;
}

/** What creating an account made. */
export interface CreatedAccount {
  readonly account: string;
  readonly admin: string;
  /** The admin's password when it was generated (it was also logged once). */
  readonly generatedPassword?: string;
}
