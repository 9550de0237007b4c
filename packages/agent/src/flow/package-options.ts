import { AgentError, AgentErrorCode } from '../errors.ts';
import type { PackageTransferOptions } from '../packages.ts';

/** {@link PackageTransferOptions} with every default filled in. */
export interface ResolvedTransfer {
  readonly chunksPerRequest: number;
  readonly attempts: number;
}

const DEFAULT_TRANSFER: ResolvedTransfer = { chunksPerRequest: 16, attempts: 3 };

/** The transfer options with their defaults; throws `invalid-option` for a count that is not an integer ≥ 1. */
export function resolvePackageTransfer(given: PackageTransferOptions | undefined): ResolvedTransfer {
  if (given === undefined) return DEFAULT_TRANSFER;
  const count = (path: keyof ResolvedTransfer): number => {
    const value = given[path] ?? DEFAULT_TRANSFER[path];
    if (Number.isSafeInteger(value) && value >= 1) return value;
    throw new AgentError(AgentErrorCode.InvalidOption, `Cannot use packageTransfer.${path}: ${String(value)}`, {
      details: { path: `packageTransfer.${path}`, expected: 'an integer ≥ 1', got: value },
    });
  };
  return { chunksPerRequest: count('chunksPerRequest'), attempts: count('attempts') };
}
