import * as v from 'valibot';

/** exodm_type.yang `id-string`: 1..64 characters. */
export const idString = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

/** The optional `account` param present on almost every method (docs/sources.md, the real exodm server item 5). */
export const account = v.optional(idString);

/** A notification URL: absolute http(s); where it may point is checked when it is used (destinations.ts). */
export const notificationUrl = v.pipe(v.string(), v.maxLength(256), v.url(), v.regex(/^https?:/i, 'an http(s) URL'));

/** One or more ids given as a JSON array or a single string (the 1.x API accepts both). */
export const idList = v.pipe(
  v.union([idString, v.array(idString)]),
  v.transform((value) => (Array.isArray(value) ? value : [value])),
);

/**
 * A JSON object, such as anyxml `values`. valibot's record would take an
 * array as an object keyed by its indexes, and hand on a copy that no later
 * check could tell from one.
 */
export const jsonObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'Invalid type: Expected a JSON object',
);
