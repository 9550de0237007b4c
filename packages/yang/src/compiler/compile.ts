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
  const features = options.features;
  const loader = new ModuleLoader(repo, (module) => {
    if (features === '*') return '*';
    if (features === undefined || features === 'implemented') return [];
    return features[module] ?? [];
  });
  const asked = modules.map((spec) => {
    const separator = spec.indexOf('@');
    return loader.load(
      separator < 0 ? spec : spec.slice(0, separator),
      separator < 0 ? undefined : spec.slice(separator + 1),
      undefined,
    );
  });
  const implementation = new Implementation(loader, features === 'implemented');
  // the features of every module asked for are set before any is built: one may test another's
  if (features === 'implemented')
    for (const module of asked) for (const name of module.features.keys()) module.enabled.add(name);
  for (const module of asked) implementation.implement(module);
  implementation.complete();
  const tops = implementation.tops;
  for (const module of implementation.modules)
    for (const part of module.parts) applyDeviations(tops, part.statement, part.scope);
  checkTree(tops);
  resolveLeafrefs(tops);
  const lifted = liftOperations(tops);
  return {
    format: SCHEMA_FORMAT,
    modules: [...loader.modules.values()].map((module) => ({
      name: module.name,
      namespace: module.namespace,
      prefix: module.prefix,
      features: [...module.enabled],
      implemented: implementation.modules.includes(module),
      ...(module.revision === undefined ? {} : { revision: module.revision }),
    })),
    data: freezeNodes(
      tops.filter((node) => node.kind !== 'operation' && node.kind !== 'notification'),
      true,
    ),
    rpcs: tops.filter((node) => node.kind === 'operation').map(freezeOperation),
    actions: lifted.actions,
    notifications: [
      ...tops.filter((node) => node.kind === 'notification').map(freezeNotification),
      ...lifted.notifications,
    ],
    identities: compileIdentities(loader.modules.values()),
  };
}
