import type { SqlExecutor } from '@fleetkit/core';

/** Parses a JSON column written by this server; a malformed value is a store fault, not the caller's. */
export function readJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text.length === 0) return fallback;
  return JSON.parse(text) as T;
}

/**
 * The ids of a JSON array text parameter as a subquery: one statement text
 * for any number of ids (an `IN ($2, $3…)` list would be a statement, and a
 * prepared plan, per length).
 */
export function idsIn(dialect: SqlExecutor['dialect'], param: string): string {
  return dialect === 'postgres'
    ? `SELECT jsonb_array_elements_text(CAST(${param} AS jsonb))`
    : `SELECT value FROM json_each(${param})`;
}
