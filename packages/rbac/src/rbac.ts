import { createLogger, cryptoRandom, type Random, systemClock } from '@fleetkit/core';
import { Freshness } from './_internal/freshness.ts';
import { LoginCache } from './_internal/login-cache.ts';
import { resolveSettings, type Settings } from './_internal/settings.ts';
import { type AccountSelection, type Caller, parseLogin, selectAccount } from './account-selection.ts';
import { DENY, type Decision, type Query } from './decision.ts';
import { buildMethodIndex, type MethodIndex } from './methods.ts';
import type { RbacModel } from './model.ts';
import { RbacMutations } from './mutations.ts';
import { checkName } from './names.ts';
import type { RbacOptions } from './options.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';
import { type Role, rolesOfMask } from './roles.ts';
import { type ChangeFeed, listenForChanges } from './store/change-feed.ts';
import { SqlRbacStore } from './store/sql-store.ts';

/** What {@link Rbac.open} resolved before constructing the engine. */
interface Opened {
  readonly store: SqlRbacStore;
  readonly methods: MethodIndex;
  readonly model: RbacModel;
  readonly settings: Settings;
  readonly random: Random;
  readonly systemAccount: string;
  readonly feed: ChangeFeed | undefined;
}

/** An account a user belongs to, with the user's roles there. */
export interface Membership {
  readonly account: string;
  readonly user: string;
  readonly roles: readonly Role[];
}

/** One grant of a package RPC to roles of an account (manual §5.3, §8.5). */
export interface Grant {
  readonly package: string;
  readonly rpc: string;
  readonly roles: readonly Role[];
}

/** The installation's administrator (manual §5.2). */
export const SYSADM = 'sysadm';

/** First passwords for {@link Rbac.bootstrap}, from the operator's configuration. */
export interface BootstrapOptions {
  /** Password of `sysadm`; generated when absent. */
  readonly sysadmPassword?: string | undefined;
  /** Password of the system account's admin `exodm-admin`; generated when absent. */
  readonly systemAdminPassword?: string | undefined;
}

/** What a bootstrap generated: user → password, shown this once. */
export interface BootstrapResult {
  readonly generatedPasswords: Readonly<Record<string, string>>;
}

/**
 * Accounts × users × roles with the manual's Table 2 as data. Decisions read
 * in-memory indexes loaded from the SQL store; every change is written to the
 * store first, then applied, so the next `can()` sees it.
 */
export class Rbac extends RbacMutations {
  #dummyHash: Promise<string> | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  readonly #freshness: Freshness;

  /** Opens the store (creating its tables) and loads it. Use {@link openRbac}. */
  static async open(options: RbacOptions): Promise<Rbac> {
    const settings = resolveSettings(options);
    const prefix = options.tablePrefix ?? 'rbac_';
    const store = new SqlRbacStore(options.driver, prefix);
    const methods = buildMethodIndex(options.methods, options.aliases);
    const random = options.random ?? cryptoRandom;
    const systemAccount = checkName('systemAccount', options.systemAccount ?? 'exodm');
    await store.init();
    // listen before loading, so no change committed in between is missed
    const feed =
      options.notifier === undefined
        ? undefined
        : await listenForChanges(options.notifier, `${prefix}changed`, random.uuid());
    const model = await store.load(methods).catch(async (error: unknown) => {
      await feed?.unlisten();
      throw error;
    });
    const rbac = new Rbac(options, { store, methods, model, settings, random, systemAccount, feed });
    feed?.attach(rbac.#freshness);
    return rbac;
  }

  private constructor(options: RbacOptions, opened: Opened) {
    const logger = options.logger ?? createLogger();
    super({
      store: opened.store,
      methods: opened.methods,
      model: opened.model,
      random: opened.random,
      logger,
      iterations: opened.settings.iterations,
      minPasswordLength: opened.settings.minPasswordLength,
      systemAccount: opened.systemAccount,
      logins: new LoginCache(opened.settings.authenticationCacheSize, opened.random),
      announce: opened.feed?.announce,
    });
    this.#unlisten = opened.feed?.unlisten;
    this.#freshness = new Freshness({
      clock: options.clock ?? systemClock,
      logger: logger.child({ tablePrefix: options.tablePrefix ?? 'rbac_' }),
      reloadRetryMs: opened.settings.reloadRetryMs,
      reloadRetryMaxMs: opened.settings.reloadRetryMaxMs,
      maxStaleMs: opened.settings.maxStaleMs,
      reload: (starting) => this.serial.run(() => this.#load(starting)),
    });
  }

  /** Stops listening for other processes' changes. The SQL driver stays open: it is the caller's. */
  async close(): Promise<void> {
    this.#freshness.stop();
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }

  /** May `user`, acting in `account`, call `method` (of `package`)? Synchronous, allocation-free. */
  can(query: Query): Decision {
    if (this.#freshness.failingClosed) return DENY['stale-model'];
    return this.model.can(query);
  }

  /** The user and account a request acts as (`account` param, `*account*user` login, only account). */
  selectAccount(selection: AccountSelection): Caller {
    return selectAccount(selection, (user) => this.model.accountsOf(user).map(([account]) => account));
  }

  /**
   * The user a Basic-auth login and password authenticate, or undefined. An
   * unknown user costs one hash too, so timing does not reveal which names
   * exist. A login that verified is remembered (`authenticationCacheSize`):
   * the same credentials again cost one HMAC, until the user's password
   * changes here or in another process. Undefined while `can()` fails closed.
   */
  async authenticate(login: string, password: string): Promise<string | undefined> {
    if (this.#freshness.failingClosed) return undefined;
    const { user } = parseLogin(login);
    const hash = this.model.passwordHash(user);
    if (hash === undefined) {
      this.#dummyHash ??= hashPassword(generatePassword(this.ctx.random), this.ctx.random, this.ctx.iterations);
      await verifyPassword(password, await this.#dummyHash);
      return undefined;
    }
    const logins = this.ctx.logins;
    const key = logins.enabled ? await logins.keyOf(user, password) : undefined;
    if (key !== undefined && logins.has(key, hash)) return user;
    if (!(await verifyPassword(password, hash))) return undefined;
    if (key !== undefined) logins.remember(key, user, hash);
    return user;
  }

  /** The roles allowed to call a built-in method (alias or bare name accepted), or undefined. */
  methodRoles(method: string): Role[] | undefined {
    const mask = this.ctx.methods.mask(method);
    return mask === undefined ? undefined : rolesOfMask(mask);
  }

  /** The canonical name of a built-in method, alias or bare name, or undefined. */
  canonicalMethod(method: string): string | undefined {
    return this.ctx.methods.canonical(method);
  }

  /** Every account, sorted. */
  accounts(): string[] {
    return this.model.accountNames();
  }

  /** Every user, sorted. */
  users(): string[] {
    return this.model.userNames();
  }

  hasAccount(account: string): boolean {
    return this.model.hasAccount(account);
  }

  hasUser(user: string): boolean {
    return this.model.hasUser(user);
  }

  /** The accounts of a user with the user's roles in each. */
  accountsOf(user: string): Membership[] {
    return this.model.accountsOf(user).map(([account, mask]) => ({ account, user, roles: rolesOfMask(mask) }));
  }

  /** The members of an account with their roles. */
  membersOf(account: string): Membership[] {
    return this.model.membersOf(account).map(([user, mask]) => ({ account, user, roles: rolesOfMask(mask) }));
  }

  /** The package RPC grants of an account. */
  grantsOf(account: string): Grant[] {
    return this.model.grantsOf(account).map((g) => ({ package: g.package, rpc: g.rpc, roles: rolesOfMask(g.mask) }));
  }

  /** The roles of `account` granted `rpc` of `package` (2.0 `list-rpc-roles`). */
  rpcRoles(grant: { readonly account: string; readonly package: string; readonly rpc: string }): Role[] {
    return rolesOfMask(this.model.grantMask(grant.account, grant.package, grant.rpc));
  }

  /**
   * First start (manual §5.1, §5.2): the system account `exodm` with its admin
   * `exodm-admin`, and the user `sysadm` holding `master` there. Passwords come
   * from `options` or are generated, logged once and returned; never a
   * built-in default. Does nothing for what already exists, so every start
   * may call it.
   */
  async bootstrap(options: BootstrapOptions = {}): Promise<BootstrapResult> {
    const generatedPasswords: Record<string, string> = {};
    if (!this.model.hasAccount(this.ctx.systemAccount)) {
      const made = await this.createAccount({
        name: this.ctx.systemAccount,
        adminPassword: options.systemAdminPassword,
      });
      if (made.generatedPassword !== undefined) generatedPasswords[made.admin] = made.generatedPassword;
    }
    const sysadm = await this.createSystemUser(SYSADM, 'master', options.sysadmPassword);
    if (sysadm !== undefined) generatedPasswords[SYSADM] = sysadm;
    return { generatedPasswords };
  }

  /** Re-reads the store, for a process sharing PostgreSQL with others that change it. */
  async reload(): Promise<void> {
    await this.serial.run(() => this.#load(() => this.#freshness.starting()));
    this.#freshness.loaded();
  }

  async #load(starting: () => void): Promise<void> {
    starting();
    this.model = await this.ctx.store.load(this.ctx.methods);
    this.ctx.logins.retain((user) => this.model.passwordHash(user));
  }
}

/** Opens an RBAC engine on a SQL driver: creates its tables if needed and loads them. */
export function openRbac(options: RbacOptions): Promise<Rbac> {
  return Rbac.open(options);
}
