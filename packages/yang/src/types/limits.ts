import type { BuiltinType } from '../schema.ts';

/** Value bounds of the integer types (RFC 7950 §9.2) and of scaled decimal64. */
export const INTEGER_LIMITS: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-9223372036854775808n, 9223372036854775807n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 4294967295n],
  uint64: [0n, 18446744073709551615n],
  decimal64: [-9223372036854775808n, 9223372036854775807n],
};

/** Integer types that RFC 7951 §6.1 encodes as JSON numbers (the 64-bit ones are strings). */
export const JSON_NUMBER_TYPES: ReadonlySet<BuiltinType> = new Set([
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
]);

export const BUILTINS: ReadonlySet<string> = new Set([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'decimal64',
  'string',
  'boolean',
  'enumeration',
  'bits',
  'binary',
  'leafref',
  'identityref',
  'empty',
  'union',
  'instance-identifier',
]);

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a YANG decimal (or integer) into an integer scaled by 10^digits;
 * undefined when it is not a decimal or has more fraction digits.
 */
export function scaledDecimal(text: string, digits: number): bigint | undefined {
  const match = DECIMAL.exec(text);
  if (match === null) return undefined;
  const fraction = match[3] ?? '';
  if (fraction.length > digits) return undefined;
  const value = BigInt(match[2]! + fraction.padEnd(digits, '0'));
  return match[1] === '-' ? -value : value;
}
