import { CheckFailure, type Frame } from './peer.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Fails unless `actual` deep-equals `expected`. */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(canonical(actual)) !== JSON.stringify(canonical(expected))) {
    throw new CheckFailure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Fails unless `frame.timestamp` is ISO 8601 (002 examples: `2024-01-15T10:30:00.000Z`). */
export function timestamped(frame: Frame, what: string): void {
  if (
    typeof frame.timestamp !== 'string' ||
    !ISO_8601.test(frame.timestamp) ||
    Number.isNaN(Date.parse(frame.timestamp))
  ) {
    throw new CheckFailure(`${what}: timestamp must be ISO 8601, got ${JSON.stringify(frame.timestamp)}`);
  }
}

/** `frame` without its timestamp, for exact comparisons of the other fields. */
export function withoutTimestamp(frame: Frame): Frame {
  const { timestamp: _t, ...rest } = frame;
  return rest;
}

/** Fails unless `frame` is an `error` whose text is `text` (verbatim, 002 "Common errors") and whose code is `code`. */
export function error(frame: Frame, code: string, text: string | RegExp, what: string): void {
  timestamped(frame, what);
  const ok =
    frame.type === 'error' &&
    frame.code === code &&
    (typeof text === 'string' ? frame.error === text : text.test(String(frame.error)));
  if (!ok) throw new CheckFailure(`${what}: expected error ${code} "${String(text)}", got ${JSON.stringify(frame)}`);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
