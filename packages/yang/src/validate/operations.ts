import type { CompiledSchema, Condition, QualifiedName, SchemaNode } from '../schema.ts';
import type { CheckContext } from '../types/check.ts';
import { prepareNodes, type RuntimeNode } from './runtime.ts';

/** An RPC, action or notification prepared for validation. */
export interface RuntimeOperation {
  readonly kind: 'rpc' | 'action' | 'notification';
  readonly name: string;
  readonly module: string;
  /** How callers name it: `module:name` at the top level, its schema path (`/m:top/list/action`) when nested. */
  readonly id: string;
  /** The input's members (a notification: its content). */
  readonly input: RuntimeNode;
  /** The output's members (a notification has none). */
  readonly output: RuntimeNode;
  /** The operation's own data node while its input (content) is validated: it carries the `must`s written on `input` (the notification). */
  readonly inputNode: SchemaNode;
  /** The same while its output is validated. */
  readonly outputNode: SchemaNode;
}

/** The operations of a schema by how callers name them. */
export interface Operations {
  readonly rpcs: Map<string, RuntimeOperation>;
  readonly actions: Map<string, RuntimeOperation>;
  readonly notifications: Map<string, RuntimeOperation>;
}

/**
 * Prepares every RPC, action and notification, and lists each among the
 * `operations` of the runtime node it is defined in (RPCs and top-level
 * notifications: the data root), so a document can name it in place.
 */
export function prepareOperations(
  schema: CompiledSchema,
  data: RuntimeNode,
  cx: Omit<CheckContext, 'module'>,
  fast: boolean,
): Operations {
  const out: Operations = { rpcs: new Map(), actions: new Map(), notifications: new Map() };
  const add = (
    kind: RuntimeOperation['kind'],
    op: { name: string; module: string; parents?: readonly QualifiedName[] },
    input: readonly SchemaNode[],
    output: readonly SchemaNode[],
    musts: { input?: readonly Condition[] | undefined; output?: readonly Condition[] | undefined },
  ): void => {
    const parents = op.parents ?? [];
    const id = parents.length === 0 ? `${op.module}:${op.name}` : schemaPath([...parents, op]);
    const r: RuntimeOperation = {
      kind,
      name: op.name,
      module: op.module,
      id,
      input: prepareNodes(input, op.module, cx, fast),
      output: prepareNodes(output, op.module, cx, fast),
      inputNode: operationNode(op, musts.input),
      outputNode: operationNode(op, musts.output),
    };
    (kind === 'rpc' ? out.rpcs : kind === 'action' ? out.actions : out.notifications).set(id, r);
    const holder = holderOf(data, parents);
    if (holder === undefined) return;
    holder.operations ??= new Map();
    holder.operations.set(`${op.module}:${op.name}`, r);
    if (parents.length > 0 && holder.schema.module === op.module) holder.operations.set(op.name, r);
  };
  for (const op of schema.rpcs) add('rpc', op, op.input, op.output, { input: op.inputMust, output: op.outputMust });
  for (const op of schema.actions)
    add('action', op, op.input, op.output, { input: op.inputMust, output: op.outputMust });
  for (const n of schema.notifications) add('notification', n, n.children, [], { input: n.must });
  return out;
}

/** `/m:a/b/n:c`: each name module-qualified where the module changes (RFC 7951 §6.11 style). */
export function schemaPath(names: readonly QualifiedName[]): string {
  let out = '';
  let module = '';
  for (const n of names) {
    out += n.module === module ? `/${n.name}` : `/${n.module}:${n.name}`;
    module = n.module;
  }
  return out;
}

/** The operation's own node in data trees: a container, so issue paths and XPath treat it as one. */
function operationNode(op: QualifiedName, must: readonly Condition[] | undefined): SchemaNode {
  return {
    kind: 'container',
    name: op.name,
    module: op.module,
    config: false,
    ...(must === undefined || must.length === 0 ? {} : { must }),
  };
}

function holderOf(data: RuntimeNode, parents: readonly QualifiedName[]): RuntimeNode | undefined {
  let cur: RuntimeNode | undefined = data;
  for (const p of parents) cur = cur?.members.get(`${p.module}:${p.name}`);
  return cur;
}
