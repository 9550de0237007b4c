/** Parses a JSON column written by this server; a malformed value is a store fault, not the caller's. */
export function readJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text.length === 0) return fallback;
  return JSON.parse(text) as T;
}
