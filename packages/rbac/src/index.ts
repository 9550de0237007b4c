export {
  openRbac,
  Rbac,
  SYSADM,
  type BootstrapOptions,
  type BootstrapResult,
  type Grant,
  type Membership,
} from './rbac.ts';
export type { CreatedAccount, NewAccount, RoleAssignment } from './types.ts';
export type { GrantRow } from './store/sql-store.ts';
export type { ChangeNotifier, RbacOptions } from './options.ts';
export { ALLOW, DENY, type Decision, DenyReason, type Query } from './decision.ts';
export { type AccountSelection, type Caller, type Login, parseLogin, selectAccount } from './account-selection.ts';
export { isRole, ROLES, type Role } from './roles.ts';
export { METHOD_ALIASES, type MatrixRow, TABLE_2 } from './matrix.ts';
export { buildMethodIndex, type MethodIndex } from './methods.ts';
export {
  DEFAULT_PBKDF2_ITERATIONS,
  generatePassword,
  hashPassword,
  MIN_PBKDF2_ITERATIONS,
  verifyPassword,
} from './password.ts';
export { RbacError, RbacErrorCode } from './errors.ts';
