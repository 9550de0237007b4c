import { YangError, YangErrorCode } from '../errors.ts';
import { subs, where } from '../parser/statement.ts';
import type { IdentitySpec } from '../schema.ts';
import { enabledByFeatures } from './features.ts';
import { type LoadedModule, resolvePrefixed } from './modules.ts';

/** Every identity of the loaded modules with its bases and transitive derivations (RFC 7950 §7.18, multiple bases, across modules). */
export function compileIdentities(mods: Iterable<LoadedModule>): Record<string, IdentitySpec> {
  const bases = new Map<string, string[]>();
  for (const mod of mods) {
    for (const [name, { statement: stmt, scope }] of mod.identities) {
      if (!enabledByFeatures(stmt, scope)) continue;
      bases.set(
        `${mod.name}:${name}`,
        subs(stmt, 'base').map((b) => {
          const r = resolvePrefixed(scope, b.arg!, b);
          if (!r.module.identities.has(r.name))
            throw new YangError(YangErrorCode.Unresolved, `Unknown base identity "${b.arg}" of identity "${name}"`, {
              location: where(b),
            });
          return `${r.module.name}:${r.name}`;
        }),
      );
    }
  }
  const derived = new Map<string, Set<string>>([...bases.keys()].map((k) => [k, new Set<string>()]));
  for (const id of bases.keys()) {
    const seen = new Set<string>();
    const todo = [...(bases.get(id) ?? [])];
    while (todo.length > 0) {
      const b = todo.pop()!;
      if (b === id) throw new YangError(YangErrorCode.Cycle, `Identity "${id}" is derived from itself`);
      if (seen.has(b)) continue;
      seen.add(b);
      derived.get(b)?.add(id);
      todo.push(...(bases.get(b) ?? []));
    }
  }
  const out: Record<string, IdentitySpec> = {};
  for (const [id, b] of bases) out[id] = { bases: b, derived: [...derived.get(id)!] };
  return out;
}
