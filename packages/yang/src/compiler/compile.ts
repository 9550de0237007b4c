import type { ModuleRepository } from '../resolver.ts';
import { type CompiledSchema, SCHEMA_FORMAT } from '../schema.ts';
import { checkTree, resolveLeafrefs } from './check.ts';
import { applyDeviations } from './deviations.ts';
import { freezeNodes, freezeNotification, freezeOperation } from './freeze.ts';
import { compileIdentities } from './identities.ts';
import { Implementation } from './implement.ts';
import { ModuleLoader } from './modules.ts';
import { liftOperations } from './operations.ts';

/** Options of {@link compileSchema}. */
export interface CompileOptions {
  /**
   * Enabled features. `'*'`: every feature of every module loaded, imported
   * ones included. `'implemented'`: every feature of each implemented module
   * (those asked for, and those an augment, deviation or leafref reaches
   * into), none of a module that is only imported: yanglint's default
   * without `-F`. A record: those features per module, none elsewhere (as
   * yanglint with `-F`). Default: none, so nodes under an `if-feature` do not
   * exist.
   */
  readonly features?: Readonly<Record<string, readonly string[] | '*'>> | '*' | 'implemented';
}

/**
 * Compiles modules (`name` or `name@revision`) of a repository, with their
 * imports, includes, augments and deviations, into plain-data schema.
 */
export function compileSchema(
  repo: ModuleRepository,
  modules: readonly string[],
  options: CompileOptions = {},
): CompiledSchema {
  const f = options.features;
  const loader = new ModuleLoader(repo, (m) => {
    if (f === '*') return '*';
    if (f === undefined || f === 'implemented') return [];
    return f[m] ?? [];
  });
  const asked = modules.map((spec) => {
    const at = spec.indexOf('@');
    return loader.load(at < 0 ? spec : spec.slice(0, at), at < 0 ? undefined : spec.slice(at + 1), undefined);
  });
  const set = new Implementation(loader, f === 'implemented');
  // the features of every module asked for are set before any is built: one may test another's
  if (f === 'implemented') for (const mod of asked) for (const name of mod.features.keys()) mod.enabled.add(name);
  for (const mod of asked) set.implement(mod);
  set.complete();
  const tops = set.tops;
  for (const mod of set.modules) for (const p of mod.parts) applyDeviations(tops, p.statement, p.scope);
  checkTree(tops);
  resolveLeafrefs(tops);
  const lifted = liftOperations(tops);
  return {
    format: SCHEMA_FORMAT,
    modules: [...loader.modules.values()].map((m) => ({
      name: m.name,
      namespace: m.namespace,
      prefix: m.prefix,
      features: [...m.enabled],
      implemented: set.modules.includes(m),
      ...(m.revision === undefined ? {} : { revision: m.revision }),
    })),
    data: freezeNodes(
      tops.filter((n) => n.kind !== 'operation' && n.kind !== 'notification'),
      true,
    ),
    rpcs: tops.filter((n) => n.kind === 'operation').map(freezeOperation),
    actions: lifted.actions,
    notifications: [...tops.filter((n) => n.kind === 'notification').map(freezeNotification), ...lifted.notifications],
    identities: compileIdentities(loader.modules.values()),
  };
}
