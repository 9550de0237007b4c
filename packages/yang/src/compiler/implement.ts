import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, subs, where } from '../parser/statement.ts';
import type { TypeSpec } from '../schema.ts';
import type { XPathExpr } from '../xpath/ast.ts';
import type { BuildNode } from './build-node.ts';
import { enabledByFeatures } from './features.ts';
import type { LoadedModule, ModuleLoader, Scope } from './modules.ts';
import { addAugment, type BuildContext, buildChildren, buildNode } from './nodes.ts';
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
  implement(module: LoadedModule): void {
    if (this.modules.includes(module)) return;
    this.modules.push(module);
    if (this.#allFeatures) for (const feature of module.features.keys()) module.enabled.add(feature);
    for (const part of module.parts) {
      const context: BuildContext = { scope: part.scope, namespace: module.name, stack: [] };
      this.tops.push(...buildChildren(part.statement, context));
      for (const rpc of subs(part.statement, 'rpc'))
        if (enabledByFeatures(rpc, part.scope)) this.tops.push(buildNode(rpc, context));
      for (const augment of subs(part.statement, 'augment'))
        if (enabledByFeatures(augment, part.scope)) this.#pending.push({ augment, scope: part.scope, module });
    }
  }

  /** RFC 7950 §7.17: augments may target nodes other augments add, so they apply to a fixpoint. */
  complete(): void {
    for (;;) {
      this.#applyAugments();
      const more = new Set<LoadedModule>();
      for (const module of this.#leafrefModules()) more.add(module);
      for (const module of this.modules)
        for (const part of module.parts)
          for (const deviation of subs(part.statement, 'deviation'))
            for (const target of pathModules(deviation.arg!, part.scope)) more.add(target);
      const missing = [...more].filter((module) => !this.modules.includes(module));
      if (missing.length === 0) return;
      for (const module of missing) this.implement(module);
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
          const missing = pathModules(path, item.scope).filter((module) => !this.modules.includes(module));
          if (missing.length === 0) continue;
          for (const module of missing) this.implement(module);
          progress = true;
          target = findAbsolute(this.tops, path, item.scope, item.augment);
          if (target === undefined) continue;
        }
        addAugment(target, item.augment, { scope: item.scope, namespace: item.module.name, stack: [] });
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
    const visitType = (type: TypeSpec | undefined): void => {
      if (type === undefined) return;
      if (type.path !== undefined) expressionModules(type.path, names);
      if (type.union !== undefined) for (const member of type.union) visitType(member);
    };
    const visit = (node: BuildNode): void => {
      visitType(node.type);
      for (const child of node.children) visit(child);
    };
    for (const top of this.tops) visit(top);
    return [...names]
      .map((name) => this.#loader.modules.get(name))
      .filter((module): module is LoadedModule => module !== undefined);
  }
}

/** The modules of the prefixes in a schema node identifier (`/a:x/b:y`; no prefix: the scope's module). */
function pathModules(path: string, scope: Scope): LoadedModule[] {
  const out: LoadedModule[] = [];
  for (const step of path.split('/')) {
    const reference = step.trim();
    if (reference === '') continue;
    const colon = reference.indexOf(':');
    const module = colon < 0 ? scope.module : scope.prefixes.get(reference.slice(0, colon));
    if (module !== undefined && !out.includes(module)) out.push(module);
  }
  return out;
}

/** Adds the module of every name test in `expr` (steps, predicates, function arguments). */
function expressionModules(expr: XPathExpr, into: Set<string>): void {
  switch (expr.t) {
    case 'path':
      if (expr.from !== undefined) expressionModules(expr.from, into);
      for (const step of expr.steps) {
        if (step.test.k === 'name') into.add(step.test.module);
        for (const predicate of step.preds) expressionModules(predicate, into);
      }
      return;
    case 'bin':
      expressionModules(expr.l, into);
      expressionModules(expr.r, into);
      return;
    case 'neg':
      expressionModules(expr.e, into);
      return;
    case 'fn':
      for (const argument of expr.args) expressionModules(argument, into);
      return;
    case 'filter':
      expressionModules(expr.e, into);
      for (const predicate of expr.preds) expressionModules(predicate, into);
      return;
    default:
      return;
  }
}
