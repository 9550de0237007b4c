import { YangError, YangErrorCode } from '../errors.ts';
import { subs, where } from '../parser/statement.ts';
import type { ModuleRepository } from '../resolver.ts';
import type { CompiledSchema, TypeSpec } from '../schema.ts';
import { applyDeviations } from './deviations.ts';
import type { BNode } from './bnode.ts';
import { checkTree, resolveLeafrefs } from './check.ts';
import { enabledByFeatures } from './features.ts';
import { freezeNodes, freezeOperations } from './freeze.ts';
import { compileIdentities } from './identities.ts';
import { type ModCtx, ModuleLoader } from './modules.ts';
import { addAugment, buildChildren, buildNode } from './nodes.ts';
import { findAbsolute } from './paths.ts';
import type { Scope } from './modules.ts';
import type { Statement } from '../parser/statement.ts';

/** Options of {@link compileSchema}. */
export interface CompileOptions {
  /**
   * Enabled features per module (`'*'` for all). Default: none, as yanglint
   * without `-F`: nodes under a disabled `if-feature` do not exist.
   */
  readonly features?: Readonly<Record<string, readonly string[] | '*'>> | '*';
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
  const loader = new ModuleLoader(repo, (m) => (f === '*' ? '*' : (f?.[m] ?? [])));
  const implemented: ModCtx[] = [];
  const tops: BNode[] = [];
  const implement = (mod: ModCtx): void => {
    if (implemented.includes(mod)) return;
    implemented.push(mod);
    for (const part of mod.parts) {
      tops.push(...buildChildren(part.stmt, part.scope, mod.name));
      for (const rpc of subs(part.stmt, 'rpc'))
        if (enabledByFeatures(rpc, part.scope)) tops.push(buildNode(rpc, part.scope, mod.name, []));
    }
  };
  for (const spec of modules) {
    const at = spec.indexOf('@');
    implement(loader.load(at < 0 ? spec : spec.slice(0, at), at < 0 ? undefined : spec.slice(at + 1), undefined));
  }
  // RFC 7950 §7.17: augments may target nodes other augments add, so apply to a fixpoint;
  // a module that an augment or an absolute leafref reaches into becomes implemented (as libyang does).
  const pending = implemented.flatMap(augmentsOf);
  for (;;) {
    let progress = true;
    while (pending.length > 0 && progress) {
      progress = false;
      for (const item of [...pending]) {
        let target = findAbsolute(tops, item.a.arg!, item.p.scope, item.a);
        if (target === undefined) {
          const owner = ownerOf(item.a.arg!, item.p.scope);
          if (owner !== undefined && !implemented.includes(owner)) {
            implement(owner);
            pending.push(...augmentsOf(owner));
            target = findAbsolute(tops, item.a.arg!, item.p.scope, item.a);
          }
        }
        if (target === undefined) continue;
        addAugment(target, item.a, item.p.scope, item.mod.name, []);
        pending.splice(pending.indexOf(item), 1);
        progress = true;
      }
    }
    if (pending.length > 0)
      throw new YangError(YangErrorCode.Unresolved, `augment target "${pending[0]!.a.arg}" does not exist`, {
        location: where(pending[0]!.a),
      });
    const more = leafrefModules(tops)
      .map((m) => loader.mods.get(m))
      .filter((m): m is ModCtx => m !== undefined && !implemented.includes(m));
    if (more.length === 0) break;
    for (const m of more) {
      implement(m);
      pending.push(...augmentsOf(m));
    }
  }
  for (const mod of implemented) for (const p of mod.parts) applyDeviations(tops, p.stmt, p.scope);
  checkTree(tops);
  resolveLeafrefs(tops);
  return {
    format: 'fleetkit-yang-schema/1',
    modules: [...loader.mods.values()].map((m) => ({
      name: m.name,
      namespace: m.namespace,
      prefix: m.prefix,
      features: [...m.enabled],
      ...(m.revision === undefined ? {} : { revision: m.revision }),
    })),
    data: freezeNodes(
      tops.filter((n) => n.kind !== 'operation' && n.kind !== 'notification'),
      true,
    ),
    rpcs: freezeOperations(tops.filter((n) => n.kind === 'operation')),
    notifications: tops
      .filter((n) => n.kind === 'notification')
      .map((n) => ({ name: n.name, module: n.module, children: freezeNodes(n.children, true) })),
    identities: compileIdentities(loader.mods.values()),
  };
}

function augmentsOf(mod: ModCtx): { a: Statement; p: ModCtx['parts'][number]; mod: ModCtx }[] {
  return mod.parts.flatMap((p) =>
    subs(p.stmt, 'augment')
      .filter((a) => enabledByFeatures(a, p.scope))
      .map((a) => ({ a, p, mod })),
  );
}

function ownerOf(path: string, scope: Scope): ModCtx | undefined {
  const first = path.split('/')[1] ?? '';
  const colon = first.indexOf(':');
  return colon < 0 ? scope.mod : scope.prefixes.get(first.slice(0, colon));
}

/** Modules named by the first step of absolute leafref paths. */
function leafrefModules(nodes: BNode[]): string[] {
  const out = new Set<string>();
  const visitType = (t: TypeSpec | undefined): void => {
    if (t === undefined) return;
    const p = t.path;
    if (p?.t === 'path' && p.abs && p.steps[0]?.test.k === 'name') out.add(p.steps[0].test.module);
    t.union?.forEach(visitType);
  };
  const visit = (n: BNode): void => {
    visitType(n.type);
    n.children.forEach(visit);
  };
  nodes.forEach(visit);
  return [...out];
}
