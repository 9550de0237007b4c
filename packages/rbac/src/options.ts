import type { Logger, Random, SqlDriver, SqlExecutor } from '@fleetkit/core';
import type { MatrixRow } from './matrix.ts';

/** Options of {@link openRbac}. */
export interface RbacOptions {
  /** Where accounts, users, roles and grants persist (core's SQL port). */
  readonly driver: SqlDriver;
  /** Salts and generated passwords. Default `cryptoRandom`. */
  readonly random?: Random;
  /** Where generated first passwords are printed once. Default `createLogger()`. */
  readonly logger?: Logger;
  /** Prefix of the store's tables. Default `rbac_`. */
  readonly tablePrefix?: string;
  /** The built-in method → roles matrix. Default manual Table 2 (`TABLE_2`). */
  readonly methods?: readonly MatrixRow[];
  /** Alias → canonical method name. Default `METHOD_ALIASES`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** PBKDF2-SHA-256 rounds for new password hashes. Default 600 000. */
  readonly passwordIterations?: number;
  /** Shortest password accepted. Default 8. */
  readonly minPasswordLength?: number;
  /**
   * Change notification between processes sharing one PostgreSQL store: pass
   * the PostgreSQL driver itself (`openPostgres` has `listen` and `notify`).
   * Each change then notifies inside its transaction and every other engine
   * reloads when it commits. Default: none (one process per store).
   */
  readonly notifier?: ChangeNotifier;
  /** The installation's own account (manual §5.1), the only one where `master` is held. Default `exodm`. */
  readonly systemAccount?: string;
}

/** LISTEN/NOTIFY as core's PostgreSQL driver offers it. */
export interface ChangeNotifier {
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string, executor?: SqlExecutor): Promise<void>;
}
