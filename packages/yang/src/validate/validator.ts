import { YangError, YangErrorCode } from '../errors.ts';
import { type CompiledSchema, SCHEMA_FORMAT } from '../schema.ts';
import { parseInstancePath } from './instance-path.ts';
import type { RuntimeOperation } from './operations.ts';
import { type Locate, type PathTarget, placeByPath, placeInDocument } from './placement.ts';
import { type Run, runData, runOperation, type ValidationResult } from './run.ts';
import { prepare, type Runtime } from './runtime.ts';
import { type StandardSchemaV1, standardSchema } from './standard-schema.ts';

export type { ValidationResult } from './run.ts';

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
  /**
   * The input of a YANG 1.1 action, named by the instance path of the action
   * on the node it is invoked on: `/module:top/list[key='k']/action`. The
   * path's containers and list entries (with their keys) are the data the
   * action's XPath can read.
   */
  validateAction(action: string, input: unknown, options?: ValidateOptions): ValidationResult;
  /** The output of an action named by its instance path, as for {@link Validator.validateAction}. */
  validateActionOutput(action: string, output: unknown, options?: ValidateOptions): ValidationResult;
  /**
   * The content of a notification: `module:name` at the top level, or the
   * instance path of one defined in a container or list
   * (`/module:top/list[key='k']/notification`).
   */
  validateNotification(name: string, content: unknown, options?: ValidateOptions): ValidationResult;
  /**
   * A whole document as yanglint reads it: data for config/data; for
   * rpc/rpc-reply/notification `{"mod:rpc": {…}}`, or the data down to an
   * action or nested notification, `{"mod:top": {"list": [{"key": "k", "action": {…}}]}}`.
   */
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
  let runtime = cache.get(schema);
  if (runtime === undefined) {
    runtime = prepare(schema, { fastPaths });
    cache.set(schema, runtime);
  }
  return runtime;
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
  if (schema?.format !== SCHEMA_FORMAT)
    throw new YangError(
      YangErrorCode.InvalidSchema,
      `Cannot validate with this schema: expected format "${SCHEMA_FORMAT}", got ${JSON.stringify((schema as { format?: unknown } | undefined)?.format)}`,
    );
  const generic = (): Runtime => runtimeOf(schema, false);
  const runtime = runtimeOf(schema, fastPaths);
  const runWith = (options: ValidateOptions | undefined): Run => ({
    runtime,
    limit: options?.maxIssues ?? 100,
    generic,
  });
  const known = (map: Map<string, RuntimeOperation>, what: string, name: string): void => {
    if (!map.has(name))
      throw new YangError(
        YangErrorCode.InvalidArgument,
        `Unknown ${what} "${name}": expected one of ${[...map.keys()].join(', ') || '(none)'}`,
      );
  };
  // a Locate finds the operation in the runtime it is given: the generic one when a run falls back
  const topLevel =
    (kind: 'rpcs' | 'notifications', name: string, content: unknown): Locate =>
    (_walk, current, root) => ({ holder: root, operation: current[kind].get(name)!, content });
  const nested = (path: string, kind: 'action' | 'notification', content: unknown): Locate => {
    const target: PathTarget = { steps: parseInstancePath(path), kind, content };
    return (walk, current, root) => placeByPath(walk, current, root, target);
  };
  const operation = (locate: Locate, output: boolean, options: ValidateOptions | undefined): ValidationResult =>
    runOperation(runWith(options), locate, output);
  const validator: Validator = {
    schema,
    validateConfig: (doc, options) => runData(runWith(options), 'config', doc),
    validateData: (doc, options) => runData(runWith(options), 'data', doc),
    validateRpcInput: (rpc, input, options) => {
      known(runtime.rpcs, 'RPC', rpc);
      return operation(topLevel('rpcs', rpc, input), false, options);
    },
    validateRpcOutput: (rpc, output, options) => {
      known(runtime.rpcs, 'RPC', rpc);
      return operation(topLevel('rpcs', rpc, output), true, options);
    },
    validateAction: (action, input, options) => operation(nested(action, 'action', input), false, options),
    validateActionOutput: (action, output, options) => operation(nested(action, 'action', output), true, options),
    validateNotification: (name, content, options) => {
      if (name.startsWith('/')) return operation(nested(name, 'notification', content), false, options);
      known(runtime.notifications, 'notification', name);
      return operation(topLevel('notifications', name, content), false, options);
    },
    validate(type, doc, options) {
      if (type === 'config') return validator.validateConfig(doc, options);
      if (type === 'data') return validator.validateData(doc, options);
      const kinds: RuntimeOperation['kind'][] = type === 'notification' ? ['notification'] : ['rpc', 'action'];
      return operation(placeInDocument(kinds, doc), type === 'rpc-reply', options);
    },
    rpcNames: () => [...runtime.rpcs.keys()],
    rpcInputSchema(rpc) {
      known(runtime.rpcs, 'RPC', rpc);
      return standardSchema((value) => validator.validateRpcInput(rpc, value), `/${rpc}`);
    },
  };
  return validator;
}
