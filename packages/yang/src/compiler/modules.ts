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
    const stmt = this.#repo.get(name, revision);
    if (stmt === undefined || stmt.keyword !== 'module') {
      throw new YangError(
        YangErrorCode.Unresolved,
        `Cannot find module "${name}${revision === undefined ? '' : `@${revision}`}" in the repository`,
        {
          ...(from === undefined ? {} : { location: where(from) }),
          details: { module: name, ...(revision === undefined ? {} : { revision }) },
        },
      );
    }
    checkGrammar(stmt);
    const prefix = required(stmt, 'prefix');
    const mod: LoadedModule = {
      name,
      prefix,
      namespace: required(stmt, 'namespace'),
      revision: latestRevision(stmt),
      statement: stmt,
      parts: [],
      identities: new Map(),
      features: new Map(),
      enabled: new Set(),
    };
    const typedefs = new Map<string, Scoped>();
    const groupings = new Map<string, Scoped>();
    const version = subArg(stmt, 'yang-version') === '1.1' ? '1.1' : '1';
    const scope: Scope = {
      module: mod,
      prefixes: this.#imports(stmt, prefix, mod, [...stack, name]),
      typedefs,
      groupings,
      parent: undefined,
      version,
    };
    mod.parts.push({ scope, statement: stmt });
    for (const inc of this.#includes(stmt, name, new Set([name]))) {
      checkGrammar(inc);
      const belongs = sub(inc, 'belongs-to')!;
      const incScope: Scope = {
        module: mod,
        prefixes: this.#imports(inc, required(belongs, 'prefix'), mod, [...stack, name]),
        typedefs,
        groupings,
        parent: undefined,
        version,
      };
      mod.parts.push({ scope: incScope, statement: inc });
    }
    for (const part of mod.parts) {
      collect(part.statement, 'typedef', typedefs, part.scope);
      collect(part.statement, 'grouping', groupings, part.scope);
      collect(part.statement, 'identity', mod.identities, part.scope);
      collect(part.statement, 'feature', mod.features, part.scope);
    }
    const wanted = this.#features(name);
    for (const f of mod.features.keys()) if (wanted === '*' || wanted.includes(f)) mod.enabled.add(f);
    this.modules.set(name, mod);
    return mod;
  }

  #imports(stmt: Statement, ownPrefix: string, mod: LoadedModule, stack: string[]): Map<string, LoadedModule> {
    const prefixes = new Map<string, LoadedModule>([[ownPrefix, mod]]);
    for (const imp of subs(stmt, 'import')) {
      const p = required(imp, 'prefix');
      if (prefixes.has(p))
        throw new YangError(YangErrorCode.Duplicate, `Prefix "${p}" is already used in ${stmt.arg}`, {
          location: where(imp),
        });
      prefixes.set(p, this.load(imp.arg!, subArg(imp, 'revision-date'), imp, stack));
    }
    return prefixes;
  }

  /** Submodules included by `stmt`, transitively (RFC 6020 allows nested includes). */
  #includes(stmt: Statement, moduleName: string, seen: Set<string>): Statement[] {
    const out: Statement[] = [];
    for (const inc of subs(stmt, 'include')) {
      const name = inc.arg!;
      if (seen.has(name)) {
        if (out.some((s) => s.arg === name)) continue;
        throw new YangError(YangErrorCode.Cycle, `Include cycle through submodule "${name}"`, { location: where(inc) });
      }
      const text = this.#repo.get(name, subArg(inc, 'revision-date'));
      if (text === undefined || text.keyword !== 'submodule') {
        throw new YangError(YangErrorCode.Unresolved, `Cannot find submodule "${name}" included by ${stmt.arg}`, {
          location: where(inc),
          details: { module: name },
        });
      }
      const owner = sub(text, 'belongs-to');
      if (owner?.arg !== moduleName) {
        throw new YangError(
          YangErrorCode.Grammar,
          `Submodule "${name}" belongs to "${owner?.arg ?? '(none)'}", not to "${moduleName}"`,
          { location: where(owner ?? text) },
        );
      }
      seen.add(name);
      out.push(text, ...this.#includes(text, moduleName, seen));
    }
    return out;
  }
}

function collect(stmt: Statement, keyword: string, into: Map<string, Scoped>, scope: Scope): void {
  for (const s of subs(stmt, keyword)) {
    const prev = into.get(s.arg!);
    if (prev !== undefined) {
      throw new YangError(
        YangErrorCode.Duplicate,
        `Duplicate ${keyword} "${s.arg}" (first defined at ${prev.statement.file}:${prev.statement.line})`,
        { location: where(s) },
      );
    }
    into.set(s.arg!, { statement: s, scope });
  }
}

/** The argument of a mandatory substatement, or a precise error. */
export function required(stmt: Statement, keyword: string): string {
  const v = subArg(stmt, keyword);
  if (v === undefined)
    throw new YangError(YangErrorCode.Grammar, `"${stmt.keyword} ${stmt.arg ?? ''}" needs a "${keyword}" statement`, {
      location: where(stmt),
    });
  return v;
}

/** Splits `pfx:name` and finds the module of the prefix in `scope` (unprefixed: the scope's module). */
export function resolvePrefixed(scope: Scope, ref: string, at: Statement): { module: LoadedModule; name: string } {
  const colon = ref.indexOf(':');
  if (colon < 0) return { module: scope.module, name: ref };
  const p = ref.slice(0, colon);
  const mod = scope.prefixes.get(p);
  if (mod === undefined)
    throw new YangError(
      YangErrorCode.Unresolved,
      `Unknown prefix "${p}" in "${ref}": not the module's prefix nor an imported one`,
      { location: where(at) },
    );
  return { module: mod, name: ref.slice(colon + 1) };
}

/** A nested scope for typedefs/groupings defined inside `stmt`. */
export function childScope(scope: Scope, stmt: Statement): Scope {
  const tds = subs(stmt, 'typedef');
  const gps = subs(stmt, 'grouping');
  if (tds.length === 0 && gps.length === 0) return scope;
  const s: Scope = { ...scope, typedefs: new Map(), groupings: new Map(), parent: scope };
  for (const t of tds) s.typedefs.set(t.arg!, { statement: t, scope: s });
  for (const g of gps) s.groupings.set(g.arg!, { statement: g, scope: s });
  return s;
}

/** Finds a typedef or grouping by (possibly prefixed) name through the scope chain. */
export function lookup(scope: Scope, kind: 'typedefs' | 'groupings', ref: string, at: Statement): Scoped | undefined {
  const { module: mod, name } = resolvePrefixed(scope, ref, at);
  if (mod !== scope.module) return mod.parts[0]!.scope[kind].get(name);
  for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
    const hit = s[kind].get(name);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
