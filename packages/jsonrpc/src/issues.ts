import type { StandardIssue } from './standard-schema.ts';

/** One entry of `error.data.issues` in a -32602 Invalid params response. */
export interface ParamsIssue {
  /** Keys from the params root to the offending value (empty for the params themselves). */
  readonly path: readonly (string | number)[];
  /** What the schema wanted, when the validator says (valibot's `expected`). */
  readonly expected: string | null;
  /** What was sent (valibot's `received`, else a short description of the value). */
  readonly got: string;
  /** The validator's message. */
  readonly message: string;
}

/** Maps Standard Schema issues about `params` to the entries sent in `error.data`. */
export function toParamsIssues(issues: readonly StandardIssue[], params: unknown): ParamsIssue[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map(pathKey);
    return {
      path,
      expected: typeof issue.expected === 'string' ? issue.expected : null,
      got: typeof issue.received === 'string' ? issue.received : describeAt(params, path),
      message: String(issue.message),
    };
  });
}

function pathKey(segment: PropertyKey | { readonly key: PropertyKey }): string | number {
  const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
  return typeof key === 'number' ? key : String(key);
}

/** A short description of the value at `path` in `root` (`'undefined'` where nothing is). */
export function describeAt(root: unknown, path: readonly (string | number)[]): string {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return 'undefined';
    value = (value as Record<string | number, unknown>)[key];
  }
  return describe(value);
}

/** A short, bounded description of a JSON value, in valibot's `received` style. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return 'Object';
    default:
      return typeof value;
  }
}
