import type { SqlExecutor } from '@fleetkit/core';
import { checkPassword, checkRole, firstPassword } from './_internal/checks.ts';
import { exists, notFound } from './_internal/fail.ts';
import { Serial } from './_internal/serial.ts';
import type { RbacModel } from './model.ts';
import { checkName, checkRpcName } from './names.ts';
import { hashPassword } from './password.ts';
import { type Role, roleBit } from './roles.ts';
import type { GrantRow, SqlRbacStore } from './store/sql-store.ts';
import type { CreatedAccount, EngineContext, NewAccount, RoleAssignment } from './types.ts';

/**
 * Every change of accounts, users, roles and grants. Each one validates
 * against memory, writes its rows in one transaction, then updates memory;
 * changes run one at a time so store and memory apply them in one order.
 * A failed change leaves both as they were.
 */
export class RbacMutations {
  protected readonly ctx: EngineContext;
  protected readonly serial: Serial = new Serial();
  protected model: RbacModel;

  protected constructor(ctx: EngineContext) {
    this.ctx = ctx;
    this.model = ctx.model;
  }

  /** Creates an account and its admin user `<name>-admin` with the `admin` role. */
  async createAccount(spec: NewAccount): Promise<CreatedAccount> {
    const account = checkName('name', spec.name);
    const admin = checkName('admin user name', `${account}-admin`);
    const { password, generated } = firstPassword(
      spec.adminPassword,
      'adminPassword',
      this.ctx.minPasswordLength,
      this.ctx.random,
    );
    // hashing is slow on purpose: done before queueing, it holds up no other change
    const hash = await this.#hash(password);
    return this.#change(async () => {
      if (this.model.hasAccount(account)) exists('account', account);
      if (this.model.hasUser(admin)) exists('user', admin);
      await this.#write(async (tx, store) => {
        await store.insertAccount(tx, account);
        await store.insertUser(tx, admin, hash);
        await store.insertMember(tx, account, admin);
        await store.insertRole(tx, account, admin, 'admin');
      });
      this.model.putAccount(account);
      this.model.putUser(admin, hash);
      this.model.setRoles(admin, account, roleBit('admin'));
      if (generated)
        this.ctx.logger.warn('generated the first password of an account admin; it is shown only once', {
          user: admin,
          password,
        });
      return generated ? { account, admin, generatedPassword: password } : { account, admin };
    });
  }

  /** Deletes an account, its memberships and grants, and its admin unless the admin is in another account. */
  deleteAccount(name: string): Promise<void> {
    return this.#change(async () => {
      this.#account(name);
      const admin = `${name}-admin`;
      const dropAdmin = this.model.roles(admin, name) !== undefined && this.model.accountsOf(admin).length === 1;
      await this.#write(async (tx, store) => {
        await store.deleteAccount(tx, name);
        if (dropAdmin) await store.deleteUser(tx, admin);
      });
      this.model.dropAccount(name);
      if (dropAdmin) {
        this.model.dropUser(admin);
        this.ctx.logins.forget(admin);
      }
    });
  }

  /** Creates a user that belongs to no account yet. */
  async createUser(spec: { readonly name: string; readonly password: string }): Promise<void> {
    const name = checkName('name', spec.name);
    const hash = await this.#hash(checkPassword(spec.password, 'password', this.ctx.minPasswordLength));
    return this.#change(async () => {
      if (this.model.hasUser(name)) exists('user', name);
      await this.#write((tx, store) => store.insertUser(tx, name, hash));
      this.model.putUser(name, hash);
    });
  }

  /** Replaces a user's password. */
  async setPassword(spec: { readonly user: string; readonly password: string }): Promise<void> {
    const hash = await this.#hash(checkPassword(spec.password, 'password', this.ctx.minPasswordLength));
    return this.#change(async () => {
      this.#user(spec.user);
      await this.#write((tx, store) => store.updatePassword(tx, spec.user, hash));
      this.model.putUser(spec.user, hash);
      this.ctx.logins.forget(spec.user);
    });
  }

  /** Deletes a user with all its memberships and roles. */
  deleteUser(name: string): Promise<void> {
    return this.#change(async () => {
      this.#user(name);
      await this.#write((tx, store) => store.deleteUser(tx, name));
      this.model.dropUser(name);
      this.ctx.logins.forget(name);
    });
  }

  /** Makes a user a member of an account, without a role (`add-user-to-account`). Idempotent. */
  addUserToAccount(spec: { readonly account: string; readonly user: string }): Promise<void> {
    return this.#change(async () => {
      this.#account(spec.account);
      this.#user(spec.user);
      if (this.model.roles(spec.user, spec.account) !== undefined) return;
      await this.#write((tx, store) => store.insertMember(tx, spec.account, spec.user));
      this.model.setRoles(spec.user, spec.account, 0);
    });
  }

  /** Removes a user and its roles from an account (`remove-user-from-account`). Idempotent. */
  removeUserFromAccount(spec: { readonly account: string; readonly user: string }): Promise<void> {
    return this.#change(async () => {
      this.#account(spec.account);
      this.#user(spec.user);
      if (this.model.roles(spec.user, spec.account) === undefined) return;
      await this.#write((tx, store) => store.deleteMember(tx, spec.account, spec.user));
      this.model.setRoles(spec.user, spec.account, undefined);
    });
  }

  /** Gives a member a role in the account (`add-user-to-role`). Idempotent. */
  addUserToRole(spec: RoleAssignment): Promise<void> {
    return this.#change(async () => {
      const mask = this.#member(spec);
      const bit = roleBit(checkRole(spec.role, spec.account, this.ctx.systemAccount));
      if ((mask & bit) !== 0) return;
      await this.#write((tx, store) => store.insertRole(tx, spec.account, spec.user, spec.role));
      this.model.setRoles(spec.user, spec.account, mask | bit);
    });
  }

  /** Takes a role from a member (`remove-user-from-role`). Idempotent. */
  removeUserFromRole(spec: RoleAssignment): Promise<void> {
    return this.#change(async () => {
      const mask = this.#member(spec);
      const bit = roleBit(checkRole(spec.role, spec.account, this.ctx.systemAccount));
      if ((mask & bit) === 0) return;
      await this.#write((tx, store) => store.deleteRole(tx, spec.account, spec.user, spec.role));
      this.model.setRoles(spec.user, spec.account, mask & ~bit);
    });
  }

  /** Lets a role's users call a package RPC in the account (`add-role-execution-permission`). Idempotent. */
  grant(spec: GrantRow): Promise<void> {
    return this.#changeGrant(spec, true);
  }

  /** Withdraws a grant (`remove-role-execution-permission`). Idempotent. */
  revoke(spec: GrantRow): Promise<void> {
    return this.#changeGrant(spec, false);
  }

  async #changeGrant(spec: GrantRow, add: boolean): Promise<void> {
    const pkg = checkName('package', spec.package);
    const rpc = checkRpcName('rpc', spec.rpc);
    return this.#change(async () => {
      this.#account(spec.account);
      const bit = roleBit(checkRole(spec.role, spec.account, this.ctx.systemAccount));
      const mask = this.model.grantMask(spec.account, pkg, rpc);
      if (((mask & bit) !== 0) === add) return;
      const row = { account: spec.account, role: spec.role, package: pkg, rpc };
      await this.#write((tx, store) => (add ? store.insertGrant(tx, row) : store.deleteGrant(tx, row)));
      this.model.setGrant(spec.account, pkg, rpc, add ? mask | bit : mask & ~bit);
    });
  }

  #hash(password: string): Promise<string> {
    return hashPassword(password, this.ctx.random, this.ctx.iterations);
  }

  #change<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(fn);
  }

  #write(fn: (tx: SqlExecutor, store: SqlRbacStore) => Promise<void>): Promise<void> {
    return this.ctx.store.driver.transaction(async (tx) => {
      await fn(tx, this.ctx.store);
      await this.ctx.announce?.(tx);
    });
  }

  #account(name: string): void {
    if (!this.model.hasAccount(name)) notFound('account', name);
  }

  #user(name: string): void {
    if (!this.model.hasUser(name)) notFound('user', name);
  }

  #member(spec: { readonly account: string; readonly user: string }): number {
    this.#account(spec.account);
    this.#user(spec.user);
    const mask = this.model.roles(spec.user, spec.account);
    if (mask === undefined) notFound('member', `${spec.user} in ${spec.account}`);
    return mask;
  }

  /** Bootstrap helper: creates `user` with `role` in the system account. */
  protected async createSystemUser(
    user: string,
    role: Role,
    password: string | undefined,
  ): Promise<string | undefined> {
    const name = checkName('user', user);
    const account = this.ctx.systemAccount;
    if (this.model.hasUser(name)) return undefined;
    const { password: pw, generated } = firstPassword(
      password,
      `${name} password`,
      this.ctx.minPasswordLength,
      this.ctx.random,
    );
    const hash = await this.#hash(pw);
    return this.#change(async () => {
      if (this.model.hasUser(name)) return undefined;
      this.#account(account);
      await this.#write(async (tx, store) => {
        await store.insertUser(tx, name, hash);
        await store.insertMember(tx, account, name);
        await store.insertRole(tx, account, name, role);
      });
      this.model.putUser(name, hash);
      this.model.setRoles(name, account, roleBit(role));
      if (generated)
        this.ctx.logger.warn('generated the first password of a system user; it is shown only once', {
          user: name,
          password: pw,
        });
      return generated ? pw : undefined;
    });
  }
}
