import { CheckFailure } from './check.ts';

/** Fails unless `actual` deep-equals `expected` (member order ignored). */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(canonical(actual)) !== JSON.stringify(canonical(expected))) {
    throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Fails unless every member `expected` names has that value in `actual` (recursively, arrays exactly). */
export function includes(actual: unknown, expected: Record<string, unknown>, what: string): void {
  if (!contains(actual, expected))
    throw new CheckFailure(`${what}: expected at least ${show(expected)}, got ${show(actual)}`);
}

/** Fails with `message` unless `condition` holds. */
export function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** The same id: a transaction id may travel as a number or as its decimal text. */
export function sameId(actual: unknown, expected: unknown, what: string): void {
  if (actual === undefined || actual === null || String(actual) !== String(expected)) {
    throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** JSON text of a value, cut to a readable length. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    return JSON.stringify(canonical(actual)) === JSON.stringify(canonical(expected));
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
  const record = actual as Record<string, unknown>;
  return Object.entries(expected).every(([key, value]) => contains(record[key], value));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
