import { invalid } from '../errors.ts';

/**
 * JSON text with object keys sorted, so two equal payloads compare equal
 * whatever their key order (idempotent enqueue compares payloads).
 */
export function canonicalJson(value: unknown, path = 'payload'): string {
  return JSON.stringify(normalise(value, path, new Set()));
}

function normalise(value: unknown, path: string, seen: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(path, 'a finite number', value);
    return value;
  }
  if (typeof value !== 'object') throw invalid(path, 'a JSON value', typeof value);
  if (seen.has(value)) throw invalid(path, 'a JSON value without cycles', 'a cycle');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((item, i) => normalise(item, `${path}[${i}]`, seen));
  } else {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null)
      throw invalid(path, 'a plain object', value.constructor?.name ?? 'object');
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = normalise(member, `${path}.${key}`, seen);
    }
    out = sorted;
  }
  seen.delete(value);
  return out;
}
