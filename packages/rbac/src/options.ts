import type { Clock, ListenEvents, Logger, Random, SqlDriver, SqlExecutor } from '@fleetkit/core';
import type { MatrixRow } from './matrix.ts';

/** Options of {@link openRbac}. */
export interface RbacOptions {
  /** Where accounts, users, roles and grants persist (core's SQL port). */
  readonly driver: SqlDriver;
  /** Salts, generated passwords and the login cache's key. Default `cryptoRandom`. */
  readonly random?: Random;
  /** Generated first passwords (printed once), failed reloads, stale-model denials. Default `createLogger()`. */
  readonly logger?: Logger;
  /** Times reload retries and the stale-model deadline. Default `systemClock`. */
  readonly clock?: Clock;
  /** Prefix of the store's tables. Default `rbac_`. */
  readonly tablePrefix?: string;
  /** The built-in method → roles matrix. Default manual Table 2 (`TABLE_2`). */
  readonly methods?: readonly MatrixRow[];
  /** Alias → canonical method name. Default `METHOD_ALIASES`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /**
   * PBKDF2-SHA-256 rounds for new password hashes; at least 600 000,
   * OWASP's floor for that hash (`MIN_PBKDF2_ITERATIONS`). Default 600 000.
   */
  readonly passwordIterations?: number;
  /**
   * For test suites only: PBKDF2 rounds below the floor (at least 1), so
   * tests hash in microseconds. Such hashes are cheap to crack: never set it
   * in production. Use instead of `passwordIterations`, not beside it.
   */
  readonly insecureTestPasswordIterations?: number;
  /** Shortest password accepted. Default 8. */
  readonly minPasswordLength?: number;
  /**
   * Logins remembered after they verify, so repeating the same Basic-auth
   * credentials costs one HMAC instead of a PBKDF2 run, until the user's
   * password changes here or in another process. 0 turns it off. Default 1000.
   */
  readonly authenticationCacheSize?: number;
  /**
   * Change notification between processes sharing one PostgreSQL store: pass
   * the PostgreSQL driver itself (`openPostgres` has `listen` and `notify`).
   * Each change then notifies inside its transaction and every other engine
   * reloads when it commits. Default: none (one process per store).
   */
  readonly notifier?: ChangeNotifier;
  /** First wait before retrying a failed reload after a change elsewhere; doubles per failure. Default 100. */
  readonly reloadRetryMs?: number;
  /** Longest wait between reload attempts. Default 5000. */
  readonly reloadRetryMaxMs?: number;
  /**
   * How long `can()` may keep answering from a model known to be behind the
   * store (reloads after another process's change keep failing, or the
   * notifier's connection is down). After that it denies every call with
   * `stale-model` until a reload succeeds. Default 10 000.
   */
  readonly maxStaleMs?: number;
  /** The installation's own account (manual §5.1), the only one where `master` is held. Default `exodm`. */
  readonly systemAccount?: string;
}

/** LISTEN/NOTIFY as core's PostgreSQL driver offers it. */
export interface ChangeNotifier {
  listen(channel: string, handler: (payload: string) => void, events?: ListenEvents): Promise<() => Promise<void>>;
  notify(channel: string, payload: string, executor?: SqlExecutor): Promise<void>;
}
