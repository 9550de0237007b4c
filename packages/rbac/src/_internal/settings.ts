import type { RbacOptions } from '../options.ts';
import { DEFAULT_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS } from '../password.ts';
import { invalid } from './fail.ts';

/** The numeric options of an engine, checked, with their defaults. */
export interface Settings {
  readonly iterations: number;
  readonly minPasswordLength: number;
  readonly authenticationCacheSize: number;
  readonly reloadRetryMs: number;
  readonly reloadRetryMaxMs: number;
  readonly maxStaleMs: number;
}

/** Checks the numeric options; a bad one throws `validation-failed` naming it. */
export function resolveSettings(options: RbacOptions): Settings {
  return {
    iterations: iterations(options),
    minPasswordLength: count('minPasswordLength', options.minPasswordLength, 8, 1),
    authenticationCacheSize: count('authenticationCacheSize', options.authenticationCacheSize, 1000, 0),
    reloadRetryMs: count('reloadRetryMs', options.reloadRetryMs, 100, 1),
    reloadRetryMaxMs: count('reloadRetryMaxMs', options.reloadRetryMaxMs, 5000, 1),
    maxStaleMs: count('maxStaleMs', options.maxStaleMs, 10_000, 0),
  };
}

function iterations(options: RbacOptions): number {
  const insecure = options.insecureTestPasswordIterations;
  if (insecure === undefined) {
    const floor = `an integer of at least ${MIN_PBKDF2_ITERATIONS} (OWASP's floor for PBKDF2-SHA-256; tests may set insecureTestPasswordIterations instead)`;
    return count(
      'passwordIterations',
      options.passwordIterations,
      DEFAULT_PBKDF2_ITERATIONS,
      MIN_PBKDF2_ITERATIONS,
      floor,
    );
  }
  if (options.passwordIterations !== undefined) {
    invalid(
      'insecureTestPasswordIterations',
      'absent when passwordIterations is set',
      insecure,
      'open the RBAC engine',
    );
  }
  return count('insecureTestPasswordIterations', insecure, 1, 1);
}

function count(path: string, value: number | undefined, fallback: number, least: number, rule?: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < least) {
    invalid(path, rule ?? `an integer of at least ${least}`, value, 'open the RBAC engine');
  }
  return value;
}
