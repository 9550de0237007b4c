import { YangError, YangErrorCode } from '../errors.ts';
import { subs, where } from '../parser/statement.ts';
import type { IdentitySpec } from '../schema.ts';
import { enabledByFeatures } from './features.ts';
import { type LoadedModule, resolvePrefixed } from './modules.ts';

/** Every identity of the loaded modules with its bases and transitive derivations (RFC 7950 §7.18, multiple bases, across modules). */
export function compileIdentities(modules: Iterable<LoadedModule>): Record<string, IdentitySpec> {
  const bases = new Map<string, string[]>();
  for (const module of modules) {
    for (const [name, { statement, scope }] of module.identities) {
      if (!enabledByFeatures(statement, scope)) continue;
      bases.set(
        `${module.name}:${name}`,
        subs(statement, 'base').map((base) => {
          const resolved = resolvePrefixed(scope, base.arg!, base);
          if (!resolved.module.identities.has(resolved.name))
            throw new YangError(YangErrorCode.Unresolved, `Unknown base identity "${base.arg}" of identity "${name}"`, {
              location: where(base),
            });
          return `${resolved.module.name}:${resolved.name}`;
        }),
      );
    }
  }
  const derived = new Map<string, Set<string>>([...bases.keys()].map((identity) => [identity, new Set<string>()]));
  for (const identity of bases.keys()) {
    const seen = new Set<string>();
    const todo = [...(bases.get(identity) ?? [])];
    while (todo.length > 0) {
      const base = todo.pop()!;
      if (base === identity) throw new YangError(YangErrorCode.Cycle, `Identity "${identity}" is derived from itself`);
      if (seen.has(base)) continue;
      seen.add(base);
      derived.get(base)?.add(identity);
      todo.push(...(bases.get(base) ?? []));
    }
  }
  const out: Record<string, IdentitySpec> = {};
  for (const [identity, direct] of bases) out[identity] = { bases: direct, derived: [...derived.get(identity)!] };
  return out;
}
