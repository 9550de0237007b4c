import { FleetkitError } from '@fleetkit/core';

/**
 * Codes of `@fleetkit/rbac`. Where the real server had a result code for the
 * same failure (`exodm_type.yang` `result-code`), the code is that name, so a
 * server can return it unchanged.
 */
export const RbacErrorCode = {
  /** A name breaks the naming rule (account, user, package, RPC, role). */
  IllegalName: 'illegal-name',
  /** The object to create already exists. */
  ObjectExists: 'object-exists',
  /** The account, user, membership or grant named does not exist. */
  ObjectNotFound: 'object-not-found',
  /** A user of several accounts named none (manual §8.2, §8.4). */
  AccountNotSpecified: 'account-not-specified',
  /** A value other than a name is invalid (password, option, role use). */
  ValidationFailed: 'validation-failed',
} as const;
export type RbacErrorCode = (typeof RbacErrorCode)[keyof typeof RbacErrorCode];

/** Error thrown by `@fleetkit/rbac`; `details` holds path, expected and got. */
export class RbacError extends FleetkitError<RbacErrorCode> {}
