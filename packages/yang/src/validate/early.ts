import { isObject, type Walk } from './walk.ts';

/**
 * Early leafrefs (`RNode.early`): each value must be a key of the list its
 * entry sits in. Checked against the key set the walk built for duplicates,
 * once the walk is over, straight from the JSON entries; no data node is
 * kept for them. The set must hold exactly the key leaves of that list's
 * entries (otherwise, or when a value is missing, the run goes generic).
 */
export function checkEarlyRefs(w: Walk): void {
  const config = w.mode === 'config';
  for (const { parent, list, entries } of w.pending) {
    const keys = w.keySets.get(parent)?.find((k) => k.list === list.s);
    if (keys === undefined || !keys.exact) {
      w.fallback = true;
      return;
    }
    for (const entry of entries) {
      if (!isObject(entry)) continue;
      for (const k of list.earlyRefs) {
        if (config && !k.s.config) continue;
        for (const name of k.jsonNames) {
          const v = entry[name];
          if (v === undefined) continue;
          const c = k.check!(v, true);
          if (typeof c === 'string' && !keys.values.has(c)) {
            w.fallback = true;
            return;
          }
        }
      }
    }
  }
}
