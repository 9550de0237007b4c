import type { Walk } from './walk.ts';

/**
 * Early leafrefs (`RuntimeNode.early`): each value must be a key of the list its
 * entry sits in. Values already among the keys when their entry was walked
 * are settled (validate/lists.ts); the rest are checked here against the
 * list's final key set, the one the walk built for duplicates. That set must
 * hold exactly the key leaves of the list's entries, otherwise (or when a
 * value is missing) the run goes generic.
 */
export function checkEarlyLeafrefs(w: Walk): void {
  for (const { parent, list, values } of w.pending) {
    const keys = w.keySets.get(parent)?.find((k) => k.list === list.schema);
    if (keys === undefined || !keys.exact) {
      w.fallback = true;
      return;
    }
    for (const v of values) {
      if (!keys.values.has(v)) {
        w.fallback = true;
        return;
      }
    }
  }
}
