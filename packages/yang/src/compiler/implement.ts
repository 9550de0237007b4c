import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, subs, where } from '../parser/statement.ts';
import type { TypeSpec } from '../schema.ts';
import type { XPathExpr } from '../xpath/ast.ts';
import type { BuildNode } from './build-node.ts';
import { enabledByFeatures } from './features.ts';
import type { LoadedModule, ModuleLoader, Scope } from './modules.ts';
import { addAugment, buildChildren, buildNode } from './nodes.ts';
import { findAbsolute } from './paths.ts';

interface PendingAugment {
  readonly augment: Statement;
  readonly scope: Scope;
  readonly module: LoadedModule;
}

/**
 * The implemented modules of a compilation and the schema tree they build.
 * Besides the modules asked for, a module becomes implemented when an
 * augment or deviation target, or a leafref path, names one of its nodes:
 * libyang does the same, so a target that an imported module adds by its
 * own augment resolves.
 */
export class Implementation {
  readonly modules: LoadedModule[] = [];
  readonly tops: BuildNode[] = [];
  readonly #pending: PendingAugment[] = [];
  readonly #loader: ModuleLoader;
  /** Enable every feature of a module when it becomes implemented (yanglint without `-F`). */
  readonly #allFeatures: boolean;

  constructor(loader: ModuleLoader, allFeatures: boolean) {
    this.#loader = loader;
    this.#allFeatures = allFeatures;
  }

  /** Builds the module's top-level nodes and queues its augments. */
  implement(mod: LoadedModule): void {
    if (this.modules.includes(mod)) return;
    this.modules.push(mod);
    if (this.#allFeatures) for (const f of mod.features.keys()) mod.enabled.add(f);
    for (const part of mod.parts) {
      this.tops.push(...buildChildren(part.statement, part.scope, mod.name));
      for (const rpc of subs(part.statement, 'rpc'))
        if (enabledByFeatures(rpc, part.scope)) this.tops.push(buildNode(rpc, part.scope, mod.name, []));
      for (const a of subs(part.statement, 'augment'))
        if (enabledByFeatures(a, part.scope)) this.#pending.push({ augment: a, scope: part.scope, module: mod });
    }
  }

  /** RFC 7950 §7.17: augments may target nodes other augments add, so they apply to a fixpoint. */
  complete(): void {
    for (;;) {
      this.#applyAugments();
      const more = new Set<LoadedModule>();
      for (const m of this.#leafrefModules()) more.add(m);
      for (const mod of this.modules)
        for (const part of mod.parts)
          for (const dev of subs(part.statement, 'deviation'))
            for (const m of pathModules(dev.arg!, part.scope)) more.add(m);
      const missing = [...more].filter((m) => !this.modules.includes(m));
      if (missing.length === 0) return;
      for (const m of missing) this.implement(m);
    }
  }

  #applyAugments(): void {
    let progress = true;
    while (this.#pending.length > 0 && progress) {
      progress = false;
      for (const item of [...this.#pending]) {
        const path = item.augment.arg!;
        let target = findAbsolute(this.tops, path, item.scope, item.augment);
        if (target === undefined) {
          // a node the target path names may come from a module not implemented yet
          const missing = pathModules(path, item.scope).filter((m) => !this.modules.includes(m));
          if (missing.length === 0) continue;
          for (const m of missing) this.implement(m);
          progress = true;
          target = findAbsolute(this.tops, path, item.scope, item.augment);
          if (target === undefined) continue;
        }
        addAugment(target, item.augment, item.scope, item.module.name, []);
        this.#pending.splice(this.#pending.indexOf(item), 1);
        progress = true;
      }
    }
    const first = this.#pending[0];
    if (first !== undefined)
      throw new YangError(YangErrorCode.Unresolved, `augment target "${first.augment.arg}" does not exist`, {
        location: where(first.augment),
      });
  }

  /** Loaded modules that a name in some leafref path belongs to. */
  #leafrefModules(): LoadedModule[] {
    const names = new Set<string>();
    const visitType = (t: TypeSpec | undefined): void => {
      if (t === undefined) return;
      if (t.path !== undefined) expressionModules(t.path, names);
      if (t.union !== undefined) for (const u of t.union) visitType(u);
    };
    const visit = (n: BuildNode): void => {
      visitType(n.type);
      for (const c of n.children) visit(c);
    };
    for (const t of this.tops) visit(t);
    return [...names].map((m) => this.#loader.modules.get(m)).filter((m): m is LoadedModule => m !== undefined);
  }
}

/** The modules of the prefixes in a schema node identifier (`/a:x/b:y`; no prefix: the scope's module). */
function pathModules(path: string, scope: Scope): LoadedModule[] {
  const out: LoadedModule[] = [];
  for (const step of path.split('/')) {
    const ref = step.trim();
    if (ref === '') continue;
    const colon = ref.indexOf(':');
    const mod = colon < 0 ? scope.module : scope.prefixes.get(ref.slice(0, colon));
    if (mod !== undefined && !out.includes(mod)) out.push(mod);
  }
  return out;
}

/** Adds the module of every name test in `e` (steps, predicates, function arguments). */
function expressionModules(e: XPathExpr, into: Set<string>): void {
  switch (e.t) {
    case 'path':
      if (e.from !== undefined) expressionModules(e.from, into);
      for (const step of e.steps) {
        if (step.test.k === 'name') into.add(step.test.module);
        for (const p of step.preds) expressionModules(p, into);
      }
      return;
    case 'bin':
      expressionModules(e.l, into);
      expressionModules(e.r, into);
      return;
    case 'neg':
      expressionModules(e.e, into);
      return;
    case 'fn':
      for (const a of e.args) expressionModules(a, into);
      return;
    case 'filter':
      expressionModules(e.e, into);
      for (const p of e.preds) expressionModules(p, into);
      return;
    default:
      return;
  }
}
