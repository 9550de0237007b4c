import type { Walk } from './walk.ts';

/**
 * Early leafrefs (`RuntimeNode.early`): each value must be a key of the list its
 * entry sits in. Values already among the keys when their entry was walked
 * are settled (validate/lists.ts); the rest are checked here against the
 * list's final key set, the one the walk built for duplicates. That set must
 * hold exactly the key leaves of the list's entries, otherwise (or when a
 * value is missing) the run goes generic.
 */
export function checkEarlyLeafrefs(walk: Walk): void {
  for (const { parent, list, values } of walk.pending) {
    const keys = walk.keySets.get(parent)?.find((keySet) => keySet.list === list.schema);
    if (keys === undefined || !keys.exact) {
      walk.fallback = true;
      return;
    }
    for (const value of values) {
      if (!keys.values.has(value)) {
        walk.fallback = true;
        return;
      }
    }
  }
}
