// JSON.parse turns a number beyond the double range (1e999) into ±Infinity,
// which a number schema accepts and JSON.stringify later writes as null: the
// params of a method with a schema are refused instead.
import type { ParamsIssue } from '../issues.ts';

/** The issue for the first ±Infinity in `params`, or `undefined` when every number is finite. */
export function overflowIssue(params: unknown): ParamsIssue | undefined {
  return allFinite(params, 0) ? undefined : locate(params);
}

// most params are shallow: a recursive check without allocation; past this depth the iterative search decides
const MAX_DEPTH = 256;

function allFinite(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth === MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!allFinite(value[i], depth + 1)) return false;
    return true;
  }
  for (const key in value) if (!allFinite((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

interface Step {
  readonly value: unknown;
  readonly key: string | number | undefined;
  readonly parent: Step | undefined;
}

// iterative, so nesting of any depth cannot overflow the stack
function locate(params: unknown): ParamsIssue | undefined {
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
