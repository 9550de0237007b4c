import { canonicalJson } from './_internal/canonical-json.ts';
import { invalid } from './errors.ts';
import { failureStatuses } from './status.ts';
import type { AckInput, Target, TxKind } from './types.ts';

const kinds: readonly TxKind[] = ['config', 'rpc', 'package'];
const ackStatuses: readonly string[] = ['progress', 'complete', 'cancelled', ...failureStatuses];
const MAX_ID = 256;

// NUL and unpaired surrogates: PostgreSQL text refuses NUL, and both stores
// keep UTF-8, where an unpaired surrogate becomes U+FFFD (two ids would meet)
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Checks a string stored as text: 1..max characters, none of them NUL or an unpaired surrogate. */
function checkText(value: unknown, path: string, max: number): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    value.includes('\0') ||
    UNPAIRED_SURROGATE.test(value)
  ) {
    throw invalid(path, `a string of 1..${max} characters without NUL or unpaired surrogates`, value);
  }
  return value;
}

/** Checks a device or group id: a string of 1..256 characters (see {@link checkText}). */
export function checkName(value: unknown, path: string): string {
  return checkText(value, path, MAX_ID);
}

/** Checks a target: exactly one of `device` or `group`. */
export function checkTarget(value: unknown, path = 'target'): Target {
  if (typeof value !== 'object' || value === null) throw invalid(path, '{ device } or { group }', value);
  const target = value as { device?: unknown; group?: unknown };
  if ((target.device === undefined) === (target.group === undefined))
    throw invalid(path, 'exactly one of device or group', value);
  return target.device !== undefined
    ? { device: checkName(target.device, `${path}.device`) }
    : { group: checkName(target.group, `${path}.group`) };
}

export function checkKind(value: unknown, path = 'kind'): TxKind {
  if (!kinds.includes(value as TxKind)) throw invalid(path, kinds.join(' | '), value);
  return value as TxKind;
}

/** Checks a positive whole number of milliseconds no larger than `max`. */
export function checkMs(value: unknown, path: string, max = 10 * 365 * 86_400_000): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw invalid(path, `a whole number of milliseconds in 1..${max}`, value);
  }
  return value;
}

/** Checks a transaction id or attempt: a non-negative safe integer. */
export function checkId(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalid(path, 'a non-negative integer', value);
  return value;
}

export function checkOptionalString(value: unknown, path: string, max = 2048): string | undefined {
  return value === undefined ? undefined : checkText(value, path, max);
}

export function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, 'true or false', value);
  return value;
}

/** Checks a count (a limit): a whole number in 1..max. */
export function checkCount(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw invalid(path, `a whole number in 1..${max}`, value);
  return value;
}

/** Checks an ack; its progress and result come back as canonical JSON values (key order never makes a repeat differ). */
export function checkAck(value: unknown): AckInput {
  if (typeof value !== 'object' || value === null) throw invalid('ack', 'an object', value);
  const ack = value as Record<string, unknown>;
  const transactionId = checkId(ack.transactionId, 'ack.transactionId');
  const attempt = checkId(ack.attempt, 'ack.attempt');
  if (!ackStatuses.includes(ack.status as string)) throw invalid('ack.status', ackStatuses.join(' | '), ack.status);
  return {
    transactionId,
    attempt,
    status: ack.status as AckInput['status'],
    ...(ack.progress === undefined
      ? {}
      : { progress: JSON.parse(canonicalJson(ack.progress, 'ack.progress')) as unknown }),
    ...(ack.result === undefined ? {} : { result: JSON.parse(canonicalJson(ack.result, 'ack.result')) as unknown }),
  };
}
