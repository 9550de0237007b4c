import * as v from 'valibot';

/**
 * The list methods' paging of the real server: `n` entries after the key
 * `previous` ("" starts from the beginning), in key order, optionally
 * descending. The caller pages by passing the last key it got.
 */
export const paging = {
  n: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(4_294_967_295)),
  previous: v.optional(v.string(), ''),
  direction: v.optional(v.picklist(['ascending', 'descending']), 'ascending'),
};

/** The SQL tail of a paged query over `column`: `AND column > $i ORDER BY column LIMIT $j`. */
export function pageClause(
  column: string,
  page: { readonly n: number; readonly previous: string; readonly direction: 'ascending' | 'descending' },
  firstIndex: number,
): { readonly sql: string; readonly params: readonly (string | number)[] } {
  const descending = page.direction === 'descending';
  const after = page.previous === '' ? '' : `AND ${column} ${descending ? '<' : '>'} $${firstIndex}`;
  const limitIndex = page.previous === '' ? firstIndex : firstIndex + 1;
  return {
    sql: `${after} ORDER BY ${column} ${descending ? 'DESC' : 'ASC'} LIMIT $${limitIndex}`,
    params: page.previous === '' ? [Math.min(page.n, 100_000)] : [page.previous, Math.min(page.n, 100_000)],
  };
}

/** Pages an in-memory list of keys (for lists kept by rbac). */
export function pageKeys<T>(
  items: readonly T[],
  key: (item: T) => string,
  page: { readonly n: number; readonly previous: string; readonly direction: 'ascending' | 'descending' },
): T[] {
  const descending = page.direction === 'descending';
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (descending) sorted.reverse();
  const after =
    page.previous === ''
      ? sorted
      : sorted.filter((item) => (descending ? key(item) < page.previous : key(item) > page.previous));
  return after.slice(0, page.n);
}
