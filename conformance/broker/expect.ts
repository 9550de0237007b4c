import { CheckFailure, type Frame } from './peer.ts';

/** docs/broker.md: "ISO 8601 UTC with milliseconds" (002's examples: `2024-01-15T10:30:00.000Z`). */
const ISO_8601_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** How far a broker's clock may be from the suite's before a timestamp counts as wrong. */
const CLOCK_SKEW_MS = 10 * 60_000;

/** Fails unless `actual` deep-equals `expected`. */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(canonical(actual)) !== JSON.stringify(canonical(expected))) {
    throw new CheckFailure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Fails unless `frame.timestamp` is now, in ISO 8601 UTC with milliseconds. */
export function timestamped(frame: Frame, what: string): void {
  const stamp = frame.timestamp;
  if (typeof stamp !== 'string' || !ISO_8601_MS.test(stamp) || Number.isNaN(Date.parse(stamp))) {
    throw new CheckFailure(`${what}: timestamp must be ISO 8601 UTC with milliseconds, got ${JSON.stringify(stamp)}`);
  }
  if (Math.abs(Date.parse(stamp) - Date.now()) > CLOCK_SKEW_MS) {
    throw new CheckFailure(`${what}: timestamp ${stamp} is not the time of sending (now ${new Date().toISOString()})`);
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
