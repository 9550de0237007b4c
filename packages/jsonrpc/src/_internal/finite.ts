// JSON.parse turns a number beyond the double range (1e999) into ±Infinity,
// which a number schema accepts and JSON.stringify later writes as null: such
// params are refused before validation instead.
import type { ParamsIssue } from '../issues.ts';

/**
 * True when a message may hold a number beyond the double range. Such a
 * number (magnitude above 1.8e308) has an exponent of three or more digits,
 * or an integer part of at least 210 digits when its exponent has two; a
 * message without either skips the walk of its params.
 */
export function mayOverflow(text: string): boolean {
  return OVERFLOW.test(text);
}

const OVERFLOW = /[eE]\+?\d{3}|\d{210}/;

interface Step {
  readonly value: unknown;
  readonly key: string | number | undefined;
  readonly parent: Step | undefined;
}

/** The issue for the first ±Infinity in `params`, or `undefined`; iterative, so deep nesting cannot overflow the stack. */
export function overflowIssue(params: unknown): ParamsIssue | undefined {
  const pending: Step[] = [{ value: params, key: undefined, parent: undefined }];
  for (let step = pending.pop(); step !== undefined; step = pending.pop()) {
    const value = step.value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return issueAt(step, value);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], key: i, parent: step });
    } else if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        pending.push({ value: (value as Record<string, unknown>)[key], key, parent: step });
      }
    }
  }
  return undefined;
}

function issueAt(step: Step, value: number): ParamsIssue {
  const path: (string | number)[] = [];
  for (let s: Step | undefined = step; s?.key !== undefined; s = s.parent) path.unshift(s.key);
  return {
    path,
    expected: 'a number within the double range (magnitude at most 1.7976931348623157e308)',
    got: String(value),
    message: 'Number out of range: it exceeds the largest double and would be read as Infinity',
  };
}
