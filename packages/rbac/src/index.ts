export { type AccountSelection, type Caller, type Login, parseLogin, selectAccount } from './account-selection.ts';
export { ALLOW, DENY, type Decision, DenyReason, type Query } from './decision.ts';
export { RbacError, RbacErrorCode } from './errors.ts';
export { type MatrixRow, METHOD_ALIASES, TABLE_2 } from './matrix.ts';
export { buildMethodIndex, type MethodIndex } from './methods.ts';
export type { ChangeNotifier, RbacOptions } from './options.ts';
export {
  DEFAULT_PBKDF2_ITERATIONS,
  generatePassword,
  hashPassword,
  MIN_PBKDF2_ITERATIONS,
  verifyPassword,
} from './password.ts';
export {
  type BootstrapOptions,
  type BootstrapResult,
  type Grant,
  type Membership,
  openRbac,
  Rbac,
  SYSADM,
} from './rbac.ts';
export { isRole, ROLES, type Role } from './roles.ts';
export type { GrantRow } from './store/sql-store.ts';
export type { CreatedAccount, NewAccount, RoleAssignment } from './types.ts';
