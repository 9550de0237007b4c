import type { CompiledSchema, Condition, QualifiedName, SchemaNode } from '../schema.ts';
import { type Preparation, prepareNodes, type RuntimeNode } from './runtime-node.ts';

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
export function prepareOperations(schema: CompiledSchema, data: RuntimeNode, preparation: Preparation): Operations {
  const out: Operations = { rpcs: new Map(), actions: new Map(), notifications: new Map() };
  const add = (
    kind: RuntimeOperation['kind'],
    operation: { name: string; module: string; parents?: readonly QualifiedName[] },
    input: readonly SchemaNode[],
    output: readonly SchemaNode[],
    musts: { input?: readonly Condition[] | undefined; output?: readonly Condition[] | undefined },
  ): void => {
    const parents = operation.parents ?? [];
    const id = parents.length === 0 ? `${operation.module}:${operation.name}` : schemaPath([...parents, operation]);
    const prepared: RuntimeOperation = {
      kind,
      name: operation.name,
      module: operation.module,
      id,
      input: prepareNodes(input, operation.module, preparation),
      output: prepareNodes(output, operation.module, preparation),
      inputNode: operationNode(operation, musts.input),
      outputNode: operationNode(operation, musts.output),
    };
    (kind === 'rpc' ? out.rpcs : kind === 'action' ? out.actions : out.notifications).set(id, prepared);
    const holder = holderOf(data, parents);
    if (holder === undefined) return;
    holder.operations ??= new Map();
    holder.operations.set(`${operation.module}:${operation.name}`, prepared);
    if (parents.length > 0 && holder.schema.module === operation.module)
      holder.operations.set(operation.name, prepared);
  };
  for (const rpc of schema.rpcs)
    add('rpc', rpc, rpc.input, rpc.output, { input: rpc.inputMust, output: rpc.outputMust });
  for (const action of schema.actions)
    add('action', action, action.input, action.output, { input: action.inputMust, output: action.outputMust });
  for (const notification of schema.notifications)
    add('notification', notification, notification.children, [], { input: notification.must });
  return out;
}

/** `/m:a/b/n:c`: each name module-qualified where the module changes (RFC 7951 §6.11 style). */
export function schemaPath(names: readonly QualifiedName[]): string {
  let out = '';
  let module = '';
  for (const name of names) {
    out += name.module === module ? `/${name.name}` : `/${name.module}:${name.name}`;
    module = name.module;
  }
  return out;
}

/** The operation's own node in data trees: a container, so issue paths and XPath treat it as one. */
function operationNode(operation: QualifiedName, must: readonly Condition[] | undefined): SchemaNode {
  return {
    kind: 'container',
    name: operation.name,
    module: operation.module,
    config: false,
    ...(must === undefined || must.length === 0 ? {} : { must }),
  };
}

function holderOf(data: RuntimeNode, parents: readonly QualifiedName[]): RuntimeNode | undefined {
  let node: RuntimeNode | undefined = data;
  for (const parent of parents) node = node?.members.get(`${parent.module}:${parent.name}`);
  return node;
}
