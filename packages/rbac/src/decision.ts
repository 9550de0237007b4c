/** Why `can()` said no. */
export const DenyReason = {
  /** No user of that name exists. */
  UnknownUser: 'unknown-user',
  /** The user is not a member of the account (manual §8.2 first check). */
  NotAMember: 'not-a-member',
  /** The user is a member but holds no role in the account. */
  NoRole: 'no-role',
  /** None of the user's roles in the account may call the method or package RPC. */
  RoleLacksMethod: 'role-lacks-method',
  /** The method is not built in and no package was named to look up grants. */
  UnknownMethod: 'unknown-method',
  /**
   * The engine's model has been behind the store for longer than `maxStaleMs`
   * (reloads after another process's change keep failing, or the notifier's
   * connection is down): every call is denied until a reload succeeds.
   */
  StaleModel: 'stale-model',
} as const;
export type DenyReason = (typeof DenyReason)[keyof typeof DenyReason];

/** The answer of `can()`: one of a few frozen objects, never allocated per call. */
export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: DenyReason };

/** The allow decision. */
export const ALLOW: Decision = Object.freeze({ allowed: true });

/** One frozen deny decision per reason. */
export const DENY: Readonly<Record<DenyReason, Decision>> = Object.freeze({
  'unknown-user': Object.freeze({ allowed: false, reason: DenyReason.UnknownUser }),
  'not-a-member': Object.freeze({ allowed: false, reason: DenyReason.NotAMember }),
  'no-role': Object.freeze({ allowed: false, reason: DenyReason.NoRole }),
  'role-lacks-method': Object.freeze({ allowed: false, reason: DenyReason.RoleLacksMethod }),
  'unknown-method': Object.freeze({ allowed: false, reason: DenyReason.UnknownMethod }),
  'stale-model': Object.freeze({ allowed: false, reason: DenyReason.StaleModel }),
});

/** What `can()` is asked: who, in which account, calling what. */
export interface Query {
  readonly user: string;
  readonly account: string;
  /** A built-in method (`exodm:list-devices`, aliases, bare names) or a package RPC. */
  readonly method: string;
  /** The package providing `method` on the target device; absent for built-in methods. */
  readonly package?: string | undefined;
}
