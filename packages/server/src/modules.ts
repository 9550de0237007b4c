import type { WorkerPool } from '@fleetkit/core';
import {
  type CompiledSchema,
  compileSchema,
  createValidator,
  ModuleRepository,
  type OperationNode,
  PooledValidator,
  parseYang,
  type Statement,
  type ValidationResult,
  YangError,
} from '@fleetkit/yang';
import type { ServerContext } from './context.ts';
import { EXOSENSE_MODULE, EXOSENSE_YANG } from './modules/exosense.ts';
import { fail, ResultCode } from './result-code.ts';
import {
  deleteModule,
  findModule,
  type ModuleRow,
  moduleVersions,
  ownerKey,
  type Repository,
  saveModule,
  visibleModules,
} from './store/modules.ts';

/** Module names no account may upload: the server's own API and the built-in module. */
const RESERVED = new Set(['exodm', EXOSENSE_MODULE]);

/** Compiled schemas kept per server process; the least recently used go first. */
const MAX_CACHED = 1024;

/** Documents at least this large (as JSON text) are validated on the worker pool, when there is one. */
const POOL_THRESHOLD = 64 * 1024;

/** A module compiled against what its account sees, ready to validate RPC input and configuration data. */
export interface CompiledModule {
  readonly module: string;
  readonly revision: string | undefined;
  readonly schema: CompiledSchema;
  /** The RPC `name` (without the module prefix), or undefined. */
  rpc(name: string): OperationNode | undefined;
  /** The input of RPC `module:name`; large inputs go to the worker pool. */
  validateRpcInput(name: string, input: unknown): Promise<ValidationResult>;
  /** Configuration data as RFC 7951 JSON (`{"module:top": …}`); large documents go to the worker pool. */
  validateConfig(doc: unknown): Promise<ValidationResult>;
}

/** What {@link ModuleRegistry.check} learned from a module text. */
export interface CheckedModule {
  readonly keyword: 'module' | 'submodule';
  readonly module: string;
  readonly revision: string | undefined;
}

interface CacheEntry {
  readonly version: string;
  readonly compiled: CompiledModule | undefined;
}

/**
 * The YANG modules of every account (manual §5.9, docs/sources.md, the real exodm server item 1
 * `create-yang-module`): stored per account in `srv_yang_modules`, compiled
 * with `@fleetkit/yang` against the account's own modules, the system
 * repository and the built-in `exosense`, and cached per (account, module)
 * under the repositories' version counters, so a process sharing PostgreSQL
 * with another sees a new revision on its next call.
 */
export class ModuleRegistry {
  readonly #server: ServerContext;
  readonly #pool: WorkerPool | undefined;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(server: ServerContext, options: { readonly pool?: WorkerPool | undefined } = {}) {
    this.#server = server;
    this.#pool = options.pool;
  }

  /**
   * Stores a module after it compiled against what the account sees, and
   * after every module of the account that imports or includes it still
   * does. Another file already holding the module, or an older or equal
   * revision under the same file, is `object-exists`; a newer revision
   * replaces the file.
   */
  async create(input: {
    readonly account: string;
    readonly repository: Repository;
    readonly name: string;
    readonly text: string;
  }): Promise<CheckedModule> {
    const checked = checkedText(input.text, input.name);
    if (RESERVED.has(checked.module)) fail(ResultCode.IllegalName, `module name ${checked.module} is reserved`);
    const db = this.#server.db;
    const owner = ownerKey(input.repository, input.account);
    const visible = await visibleModules(db, input.account);
    const stored = visible.find((m) => m.account === owner && m.name === input.name);
    if (stored !== undefined) {
      if (stored.module !== checked.module) {
        fail(ResultCode.ObjectExists, `${input.name} holds module ${stored.module}, not ${checked.module}`);
      }
      if ((checked.revision ?? '') <= (stored.revision ?? '')) {
        fail(ResultCode.ObjectExists, `${input.name} exists at revision ${stored.revision ?? '(none)'}`);
      }
    }
    const other = visible.find((m) => m.account === owner && m.module === checked.module && m.name !== input.name);
    if (other !== undefined) fail(ResultCode.ObjectExists, `module ${checked.module} is stored as ${other.name}`);
    const row: ModuleRow = {
      account: owner,
      repository: input.repository,
      name: input.name,
      module: checked.module,
      revision: checked.revision,
      text: input.text,
      createdAt: this.#server.clock.now(),
    };
    // a system module may import only system modules: every account sees it
    const next = [
      row,
      ...visible.filter((m) => m !== stored && (input.repository !== 'system' || m.account === owner)),
    ];
    if (checked.keyword === 'module') compileIn(next, owner, checked.module);
    for (const dependent of dependentsOf(next, owner, checked.module)) {
      if (checkedText(dependent.text, dependent.name).keyword === 'module') compileIn(next, owner, dependent.module);
    }
    await saveModule(db, row);
    return checked;
  }

  /** Deletes a module no other module of the account imports or includes; false when absent. */
  async delete(account: string, repository: Repository, name: string): Promise<boolean> {
    const db = this.#server.db;
    const stored = await findModule(db, account, repository, name);
    if (stored === undefined) return false;
    const visible = await visibleModules(db, account);
    const users = dependentsOf(visible, stored.account, stored.module).filter((m) => m.name !== name);
    if (users.length > 0) {
      fail(ResultCode.ObjectNotEmpty, `${name} is used by ${users.map((m) => m.name).join(', ')}`);
    }
    return deleteModule(db, account, repository, name);
  }

  /**
   * The module an RPC prefix or a configuration names, compiled: looked up
   * by its YANG name, else by its file name without `.yang` (and any
   * `@revision`), in the account's repository, then the system repository.
   * Undefined when the account sees no such module, or it is a submodule.
   */
  async compiled(account: string, module: string): Promise<CompiledModule | undefined> {
    const db = this.#server.db;
    const version = await moduleVersions(db, account);
    const key = `${account}\u0000${module}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.version === version) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit.compiled;
    }
    const visible = ordered(await visibleModules(db, account), account);
    const row =
      visible.find((m) => m.module === module) ?? visible.find((m) => stemOf(m.name) === stemOf(`${module}.yang`));
    let compiled: CompiledModule | undefined;
    if (row !== undefined && checkedText(row.text, row.name).keyword === 'module') {
      try {
        compiled = this.#compiledModule(compileIn(visible, account, row.module), row);
      } catch (error) {
        // stored modules compiled when stored; a system module replaced since may break an account's import
        this.#server.logger.error('stored YANG module no longer compiles', { account, module: row.module, error });
        throw error;
      }
    }
    this.#cache.delete(key);
    this.#cache.set(key, { version, compiled });
    while (this.#cache.size > MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
    return compiled;
  }

  #compiledModule(schema: CompiledSchema, row: ModuleRow): CompiledModule {
    const validator = createValidator(schema);
    const pool = this.#pool;
    let pooled: PooledValidator | undefined;
    const onPool = (doc: unknown, local: () => ValidationResult, type: 'rpc' | 'config'): Promise<ValidationResult> => {
      if (pool === undefined) return Promise.resolve(local());
      const text = JSON.stringify(doc);
      if (text.length < POOL_THRESHOLD) return Promise.resolve(local());
      pooled ??= new PooledValidator(schema, { pool, threshold: POOL_THRESHOLD });
      return pooled.validate(type, text);
    };
    return {
      module: row.module,
      revision: row.revision,
      schema,
      rpc: (name) => schema.rpcs.find((r) => r.module === row.module && r.name === name),
      validateRpcInput: (name, input) =>
        onPool(
          { [`${row.module}:${name}`]: input },
          () => validator.validateRpcInput(`${row.module}:${name}`, input),
          'rpc',
        ),
      validateConfig: (doc) => onPool(doc, () => validator.validateConfig(doc), 'config'),
    };
  }
}

const registries = new WeakMap<ServerContext, ModuleRegistry>();

/** Gives a server its module registry (openServer does, with the worker pool it was given). */
export function attachModules(server: ServerContext, options: { readonly pool?: WorkerPool | undefined } = {}): void {
  registries.set(server, new ModuleRegistry(server, options));
}

/** The module registry of a server (one made on first use when openServer attached none). */
export function modulesOf(server: ServerContext): ModuleRegistry {
  let registry = registries.get(server);
  if (registry === undefined) {
    registry = new ModuleRegistry(server);
    registries.set(server, registry);
  }
  return registry;
}

/** The keyword, name and newest revision of a module text; a text that does not parse is `validation-failed`. */
function checkedText(text: string, file: string): CheckedModule {
  const stmt = parsed(text, file);
  if (stmt.keyword !== 'module' && stmt.keyword !== 'submodule') {
    return fail(ResultCode.ValidationFailed, `${file}: expected a module or submodule, got ${stmt.keyword}`);
  }
  if (stmt.arg === undefined) return fail(ResultCode.ValidationFailed, `${file}: the ${stmt.keyword} has no name`);
  let revision: string | undefined;
  for (const sub of stmt.subs) {
    if (sub.keyword === 'revision' && sub.arg !== undefined && (revision === undefined || sub.arg > revision)) {
      revision = sub.arg;
    }
  }
  return { keyword: stmt.keyword, module: stmt.arg, revision };
}

function parsed(text: string, file: string): Statement {
  try {
    return parseYang(text, file);
  } catch (error) {
    return rethrowYang(error);
  }
}

/** A compiler error as the `validation-failed` outcome, with the compiler's message and position. */
function rethrowYang(error: unknown): never {
  if (error instanceof YangError) fail(ResultCode.ValidationFailed, error.message);
  throw error;
}

/** The account's own modules first, then the system repository's. */
function ordered(rows: readonly ModuleRow[], account: string): ModuleRow[] {
  const rank = (m: ModuleRow): number => (m.account === account ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b));
}

/**
 * Compiles `module` in a repository of what the account sees: its own
 * modules shadow system modules of the same name, and nothing shadows the
 * built-in `exosense`.
 */
function compileIn(rows: readonly ModuleRow[], account: string, module: string): CompiledSchema {
  const repository = new ModuleRepository();
  repository.add(EXOSENSE_YANG, 'exosense.yang');
  const seen = new Set<string>([EXOSENSE_MODULE]);
  try {
    for (const row of ordered(rows, account)) {
      if (seen.has(row.module)) continue;
      seen.add(row.module);
      repository.add(row.text, row.name);
    }
    return compileSchema(repository, [module]);
  } catch (error) {
    return rethrowYang(error);
  }
}

/** The modules of one owner (an account, or `/system`) that import or include `module` directly. */
function dependentsOf(rows: readonly ModuleRow[], owner: string, module: string): ModuleRow[] {
  return rows.filter((row) => {
    if (row.account !== owner || row.module === module) return false;
    const stmt = parseYang(row.text, row.name);
    return stmt.subs.some((s) => (s.keyword === 'import' || s.keyword === 'include') && s.arg === module);
  });
}

/** A file name without `.yang` and without an `@revision` suffix. */
function stemOf(file: string): string {
  const base = file.endsWith('.yang') ? file.slice(0, -'.yang'.length) : file;
  const at = base.indexOf('@');
  return at < 0 ? base : base.slice(0, at);
}
