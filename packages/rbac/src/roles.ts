/** The six predefined roles of manual §8.4 Table 2, in column order. */
export const ROLES = ['master', 'admin', 'view', 'device', 'config', 'execute'] as const;

/** A predefined role (manual §5.3: roles are predefined, not created). */
export type Role = (typeof ROLES)[number];

const BITS: Readonly<Record<Role, number>> = { master: 1, admin: 2, view: 4, device: 8, config: 16, execute: 32 };

/** Whether `value` names one of the six roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(BITS, value);
}

/** The bit of one role: decisions intersect bit sets instead of walking lists. */
export function roleBit(role: Role): number {
  return BITS[role];
}

/** The bit set of several roles. */
export function roleMask(roles: Iterable<Role>): number {
  let mask = 0;
  for (const role of roles) mask |= BITS[role];
  return mask;
}

/** The roles of a bit set, in Table 2 column order. */
export function rolesOfMask(mask: number): Role[] {
  return ROLES.filter((role) => (mask & BITS[role]) !== 0);
}
