import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, sub, subArg, subs, where } from '../parser/statement.ts';
import { latestRevision, type ModuleRepository } from '../resolver.ts';
import { checkGrammar } from './grammar.ts';

/** A definition with the lexical scope it was written in. */
export interface Scoped {
  readonly statement: Statement;
  readonly scope: Scope;
}

/** Lexical scope: prefixes of the (sub)module, and typedefs/groupings visible here. */
export interface Scope {
  readonly module: LoadedModule;
  readonly prefixes: ReadonlyMap<string, LoadedModule>;
  readonly typedefs: Map<string, Scoped>;
  readonly groupings: Map<string, Scoped>;
  readonly parent: Scope | undefined;
  readonly version: '1' | '1.1';
}

/** A loaded module with its submodules merged. */
export interface LoadedModule {
  readonly name: string;
  readonly prefix: string;
  readonly namespace: string;
  readonly revision: string | undefined;
  readonly statement: Statement;
  /** Top-level scope of the module and of each submodule, with the statements they hold. */
  readonly parts: { readonly scope: Scope; readonly statement: Statement }[];
  readonly identities: Map<string, Scoped>;
  readonly features: Map<string, Scoped>;
  readonly enabled: Set<string>;
}

/** Loads modules and their imports/includes from a repository; cycles are errors. */
export class ModuleLoader {
  readonly modules = new Map<string, LoadedModule>();
  readonly #repo: ModuleRepository;
  readonly #features: (module: string) => readonly string[] | '*';

  constructor(repo: ModuleRepository, features: (module: string) => readonly string[] | '*') {
    this.#repo = repo;
    this.#features = features;
  }

  load(name: string, revision: string | undefined, from: Statement | undefined, stack: string[] = []): LoadedModule {
    const have = this.modules.get(name);
    if (have !== undefined) {
      if (revision !== undefined && have.revision !== revision) {
        throw new YangError(
          YangErrorCode.Duplicate,
          `Module "${name}" is needed at revision ${revision} but ${have.revision ?? 'no revision'} is already loaded`,
          from === undefined ? {} : { location: where(from) },
        );
      }
      return have;
    }
    if (stack.includes(name)) {
      throw new YangError(
        YangErrorCode.Cycle,
        `Import cycle: ${[...stack, name].join(' -> ')}`,
        from === undefined ? {} : { location: where(from) },
      );
    }
    const statement = this.#repo.get(name, revision);
    if (statement === undefined || statement.keyword !== 'module') {
      throw new YangError(
        YangErrorCode.Unresolved,
        `Cannot find module "${name}${revision === undefined ? '' : `@${revision}`}" in the repository`,
        {
          ...(from === undefined ? {} : { location: where(from) }),
          details: { module: name, ...(revision === undefined ? {} : { revision }) },
        },
      );
    }
    checkGrammar(statement);
    const prefix = required(statement, 'prefix');
    const module: LoadedModule = {
      name,
      prefix,
      namespace: required(statement, 'namespace'),
      revision: latestRevision(statement),
      statement,
      parts: [],
      identities: new Map(),
      features: new Map(),
      enabled: new Set(),
    };
    const typedefs = new Map<string, Scoped>();
    const groupings = new Map<string, Scoped>();
    const version = subArg(statement, 'yang-version') === '1.1' ? '1.1' : '1';
    const scope: Scope = {
      module,
      prefixes: this.#imports(statement, prefix, module, [...stack, name]),
      typedefs,
      groupings,
      parent: undefined,
      version,
    };
    module.parts.push({ scope, statement });
    for (const submodule of this.#includes(statement, name, new Set([name]))) {
      checkGrammar(submodule);
      const belongs = sub(submodule, 'belongs-to')!;
      const submoduleScope: Scope = {
        module,
        prefixes: this.#imports(submodule, required(belongs, 'prefix'), module, [...stack, name]),
        typedefs,
        groupings,
        parent: undefined,
        version,
      };
      module.parts.push({ scope: submoduleScope, statement: submodule });
    }
    for (const part of module.parts) {
      collect(part.statement, 'typedef', typedefs, part.scope);
      collect(part.statement, 'grouping', groupings, part.scope);
      collect(part.statement, 'identity', module.identities, part.scope);
      collect(part.statement, 'feature', module.features, part.scope);
    }
    const wanted = this.#features(name);
    for (const feature of module.features.keys())
      if (wanted === '*' || wanted.includes(feature)) module.enabled.add(feature);
    this.modules.set(name, module);
    return module;
  }

  #imports(statement: Statement, ownPrefix: string, module: LoadedModule, stack: string[]): Map<string, LoadedModule> {
    const prefixes = new Map<string, LoadedModule>([[ownPrefix, module]]);
    for (const imported of subs(statement, 'import')) {
      const prefix = required(imported, 'prefix');
      if (prefixes.has(prefix))
        throw new YangError(YangErrorCode.Duplicate, `Prefix "${prefix}" is already used in ${statement.arg}`, {
          location: where(imported),
        });
      prefixes.set(prefix, this.load(imported.arg!, subArg(imported, 'revision-date'), imported, stack));
    }
    return prefixes;
  }

  /** Submodules included by `statement`, transitively (RFC 6020 allows nested includes). */
  #includes(statement: Statement, moduleName: string, seen: Set<string>): Statement[] {
    const out: Statement[] = [];
    for (const include of subs(statement, 'include')) {
      const name = include.arg!;
      if (seen.has(name)) {
        if (out.some((included) => included.arg === name)) continue;
        throw new YangError(YangErrorCode.Cycle, `Include cycle through submodule "${name}"`, {
          location: where(include),
        });
      }
      const submodule = this.#repo.get(name, subArg(include, 'revision-date'));
      if (submodule === undefined || submodule.keyword !== 'submodule') {
        throw new YangError(YangErrorCode.Unresolved, `Cannot find submodule "${name}" included by ${statement.arg}`, {
          location: where(include),
          details: { module: name },
        });
      }
      const owner = sub(submodule, 'belongs-to');
      if (owner?.arg !== moduleName) {
        throw new YangError(
          YangErrorCode.Grammar,
          `Submodule "${name}" belongs to "${owner?.arg ?? '(none)'}", not to "${moduleName}"`,
          { location: where(owner ?? submodule) },
        );
      }
      seen.add(name);
      out.push(submodule, ...this.#includes(submodule, moduleName, seen));
    }
    return out;
  }
}

function collect(statement: Statement, keyword: string, into: Map<string, Scoped>, scope: Scope): void {
  for (const definition of subs(statement, keyword)) {
    const previous = into.get(definition.arg!);
    if (previous !== undefined) {
      throw new YangError(
        YangErrorCode.Duplicate,
        `Duplicate ${keyword} "${definition.arg}" (first defined at ${previous.statement.file}:${previous.statement.line})`,
        { location: where(definition) },
      );
    }
    into.set(definition.arg!, { statement: definition, scope });
  }
}

/** The argument of a mandatory substatement, or a precise error. */
export function required(statement: Statement, keyword: string): string {
  const value = subArg(statement, keyword);
  if (value === undefined)
    throw new YangError(
      YangErrorCode.Grammar,
      `"${statement.keyword} ${statement.arg ?? ''}" needs a "${keyword}" statement`,
      {
        location: where(statement),
      },
    );
  return value;
}

/** Splits `pfx:name` and finds the module of the prefix in `scope` (unprefixed: the scope's module). */
export function resolvePrefixed(
  scope: Scope,
  reference: string,
  origin: Statement,
): { module: LoadedModule; name: string } {
  const colon = reference.indexOf(':');
  if (colon < 0) return { module: scope.module, name: reference };
  const prefix = reference.slice(0, colon);
  const module = scope.prefixes.get(prefix);
  if (module === undefined)
    throw new YangError(
      YangErrorCode.Unresolved,
      `Unknown prefix "${prefix}" in "${reference}": not the module's prefix nor an imported one`,
      { location: where(origin) },
    );
  return { module, name: reference.slice(colon + 1) };
}

/** A nested scope for typedefs/groupings defined inside `statement`. */
export function childScope(scope: Scope, statement: Statement): Scope {
  const typedefs = subs(statement, 'typedef');
  const groupings = subs(statement, 'grouping');
  if (typedefs.length === 0 && groupings.length === 0) return scope;
  const inner: Scope = { ...scope, typedefs: new Map(), groupings: new Map(), parent: scope };
  for (const typedef of typedefs) inner.typedefs.set(typedef.arg!, { statement: typedef, scope: inner });
  for (const grouping of groupings) inner.groupings.set(grouping.arg!, { statement: grouping, scope: inner });
  return inner;
}

/** Finds a typedef or grouping by (possibly prefixed) name through the scope chain. */
export function lookup(
  scope: Scope,
  kind: 'typedefs' | 'groupings',
  reference: string,
  origin: Statement,
): Scoped | undefined {
  const { module, name } = resolvePrefixed(scope, reference, origin);
  if (module !== scope.module) return module.parts[0]!.scope[kind].get(name);
  for (let current: Scope | undefined = scope; current !== undefined; current = current.parent) {
    const hit = current[kind].get(name);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
