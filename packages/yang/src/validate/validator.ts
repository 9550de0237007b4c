import { YangError, YangErrorCode } from '../errors.ts';
import type { CompiledSchema } from '../schema.ts';
import { type DNode, dnode } from '../xpath/dnode.ts';
import { checkConstraints } from './constraints.ts';
import type { YangIssue } from './issue.ts';
import { prepare, type RNode, type Runtime } from './runtime.ts';
import { standardSchema, type StandardSchemaV1 } from './standard-schema.ts';
import { checkEarlyRefs } from './early.ts';
import { issue, type TreeMode, walkMembers } from './tree.ts';
import { newWalk } from './walk.ts';

/** The outcome of a validation: never thrown, always returned. */
export type ValidationResult =
  | { readonly valid: true; readonly issues: readonly [] }
  | { readonly valid: false; readonly issues: readonly YangIssue[] };

/** Options of every validate call. */
export interface ValidateOptions {
  /** Stop after this many issues (default 100). */
  readonly maxIssues?: number;
}

/** What kind of document {@link Validator.validate} checks. */
export type DocumentType = 'config' | 'data' | 'rpc' | 'rpc-reply' | 'notification';

/** Validators for RFC 7951 JSON against one compiled schema. */
export interface Validator {
  readonly schema: CompiledSchema;
  /** Configuration data (`config false` nodes are not allowed), RFC 7951 JSON. */
  validateConfig(doc: unknown, options?: ValidateOptions): ValidationResult;
  /** Configuration and state data. */
  validateData(doc: unknown, options?: ValidateOptions): ValidationResult;
  /** The input (params) of RPC `module:name`: an object of its input members. */
  validateRpcInput(rpc: string, input: unknown, options?: ValidateOptions): ValidationResult;
  /** The output of RPC `module:name`. */
  validateRpcOutput(rpc: string, output: unknown, options?: ValidateOptions): ValidationResult;
  /** The content of notification `module:name`. */
  validateNotification(name: string, content: unknown, options?: ValidateOptions): ValidationResult;
  /** A whole document as yanglint reads it: `{"mod:rpc": {…}}` for rpc/rpc-reply/notification. */
  validate(type: DocumentType, doc: unknown, options?: ValidateOptions): ValidationResult;
  /** Qualified names of the schema's RPCs. */
  rpcNames(): string[];
  /** RPC `module:name`'s input validator as a Standard Schema v1 object (vendor `fleetkit-yang`). */
  rpcInputSchema(rpc: string): StandardSchemaV1<unknown, Record<string, unknown>>;
}

const runtimes = new WeakMap<CompiledSchema, Runtime>();
const genericRuntimes = new WeakMap<CompiledSchema, Runtime>();

/** The runtime of a schema with the fast paths on or off, prepared once per schema object. */
function runtimeOf(schema: CompiledSchema, fastPaths: boolean): Runtime {
  const cache = fastPaths ? runtimes : genericRuntimes;
  let rt = cache.get(schema);
  if (rt === undefined) {
    rt = prepare(schema, { fastPaths });
    cache.set(schema, rt);
  }
  return rt;
}

/** The validator of a compiled schema (its runtime form is built once per schema object). */
export function createValidator(schema: CompiledSchema): Validator {
  return validatorFor(schema, true);
}

/**
 * A validator with the fast paths on (the default) or off: the generic
 * runtime builds every data node and evaluates every rule with the XPath
 * evaluator. Tests compare the two; a fast run whose early rules fail
 * repeats on the generic runtime.
 */
export function validatorFor(schema: CompiledSchema, fastPaths: boolean): Validator {
  if (schema?.format !== 'fleetkit-yang-schema/1')
    throw new YangError(
      YangErrorCode.InvalidSchema,
      `Cannot validate with this schema: expected format "fleetkit-yang-schema/1", got ${JSON.stringify((schema as { format?: unknown } | undefined)?.format)}`,
    );
  const generic = (): Runtime => runtimeOf(schema, false);
  const runtime = runtimeOf(schema, fastPaths);
  const op = (rpc: string): { name: string; module: string } => {
    const o = runtime.rpcs.get(rpc);
    if (o === undefined)
      throw new YangError(
        YangErrorCode.InvalidArgument,
        `Unknown RPC "${rpc}": expected one of ${[...runtime.rpcs.keys()].join(', ') || '(none)'}`,
      );
    return o;
  };
  const knownNotification = (name: string): void => {
    if (!runtime.notifications.has(name))
      throw new YangError(
        YangErrorCode.InvalidArgument,
        `Unknown notification "${name}": expected one of ${[...runtime.notifications.keys()].join(', ') || '(none)'}`,
      );
  };
  const v: Validator = {
    schema,
    validateConfig: (doc, o) => run(runtime, 'config', (r) => r.data, doc, undefined, o, generic),
    validateData: (doc, o) => run(runtime, 'data', (r) => r.data, doc, undefined, o, generic),
    validateRpcInput: (rpc, input, o) => {
      const x = op(rpc);
      return run(runtime, 'data', (r) => r.rpcs.get(rpc)!.input, input, x, o, generic);
    },
    validateRpcOutput: (rpc, output, o) => {
      const x = op(rpc);
      return run(runtime, 'data', (r) => r.rpcs.get(rpc)!.output, output, x, o, generic);
    },
    validateNotification: (name, content, o) => {
      const [module = '', n = ''] = name.split(':');
      knownNotification(name);
      return run(runtime, 'data', (r) => r.notifications.get(name)!, content, { module, name: n }, o, generic);
    },
    validate(type, doc, o) {
      if (type === 'config') return v.validateConfig(doc, o);
      if (type === 'data') return v.validateData(doc, o);
      const entries = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? Object.entries(doc) : [];
      const known = type === 'notification' ? runtime.notifications : runtime.rpcs;
      if (entries.length !== 1 || !known.has(entries[0]![0])) {
        const what = type === 'notification' ? 'notification' : 'RPC';
        return {
          valid: false,
          issues: [
            {
              kind: 'unknown',
              path: '/',
              message: `Expected one member naming a known ${what} ("module:name"), got ${entries.map(([k]) => `"${k}"`).join(', ') || 'none'}`,
              expected: [...known.keys()].join(' | '),
              received: entries.map(([k]) => k),
            },
          ],
        };
      }
      const [name, content] = entries[0]!;
      if (type === 'notification') return v.validateNotification(name, content, o);
      return type === 'rpc' ? v.validateRpcInput(name, content, o) : v.validateRpcOutput(name, content, o);
    },
    rpcNames: () => [...runtime.rpcs.keys()],
    rpcInputSchema(rpc) {
      op(rpc);
      return standardSchema((value) => v.validateRpcInput(rpc, value), `/${rpc}`);
    },
  };
  return v;
}

function run(
  rt: Runtime,
  mode: TreeMode,
  at: (rt: Runtime) => RNode,
  doc: unknown,
  op: { module: string; name: string } | undefined,
  o: ValidateOptions | undefined,
  generic: () => Runtime,
): ValidationResult {
  const w = newWalk(mode, rt.tree, rt.fast, o?.maxIssues ?? 100);
  const root = dnode(undefined, undefined, '', '');
  const top: DNode = op === undefined ? root : dnode(root, undefined, op.name, op.module);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    issue(w, 'type', op === undefined ? '/' : `/${op.module}:${op.name}`, 'Expected a JSON object', {
      expected: 'object',
      received: doc,
    });
  else {
    walkMembers(w, at(rt), doc as Record<string, unknown>, top);
    if (w.pending.length > 0) checkEarlyRefs(w);
    // an early rule failed: the generic run reports every issue, in its order
    if (w.fallback) return run(generic(), mode, at, doc, op, o, generic);
    if (w.deferred.length > 0 || w.guarded.length > 0) checkConstraints(w, rt);
  }
  return w.issues.length === 0 ? { valid: true, issues: [] } : { valid: false, issues: w.issues };
}
