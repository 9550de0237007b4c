import type { Condition, NotificationNode, OperationNode, SchemaNode } from '../schema.ts';
import type { BuildNode } from './build-node.ts';

/**
 * Turns build nodes into plain schema data: `config` inherited (RFC 7950
 * §7.21.1), and `when` of a choice or case moved onto the data nodes directly
 * below it, evaluated on the parent data node (§7.21.5).
 */
export function freezeNodes(
  nodes: BuildNode[],
  parentConfig: boolean,
  inherited: readonly Condition[] = [],
): SchemaNode[] {
  return nodes.map((n) => freeze(n, parentConfig, inherited));
}

function freeze(n: BuildNode, parentConfig: boolean, inherited: readonly Condition[]): SchemaNode {
  const config = parentConfig && n.config !== false;
  const ownWhen = n.kind === 'choice' || n.kind === 'case' ? [] : [...inherited, ...n.when];
  const pass =
    n.kind === 'choice' || n.kind === 'case' ? [...inherited, ...n.when.map((w) => ({ ...w, onParent: true }))] : [];
  const out: Record<string, unknown> = { kind: n.kind, name: n.name, module: n.module, config };
  if (n.kind !== 'leaf' && n.kind !== 'leaf-list' && n.kind !== 'anydata' && n.kind !== 'anyxml')
    out.children = freezeNodes(n.children, config, pass);
  if (n.type !== undefined) out.type = n.type;
  if (n.mandatory === true) out.mandatory = true;
  if (n.presence === true) out.presence = true;
  if (n.keys !== undefined) out.keys = n.keys;
  if (n.unique !== undefined && n.unique.length > 0) out.unique = n.unique;
  if (n.minElements !== undefined && n.minElements > 0) out.minElements = n.minElements;
  if (n.maxElements !== undefined) out.maxElements = n.maxElements;
  if (n.defaults !== undefined) out.defaults = n.defaults;
  if (n.defaultCase !== undefined) out.defaultCase = n.defaultCase;
  if (n.must.length > 0) out.must = n.must;
  if (ownWhen.length > 0) out.when = ownWhen;
  if (n.userOrdered === true) out.userOrdered = true;
  return out as unknown as SchemaNode;
}

/** An RPC's or action's input and output; their nodes are not configuration (OperationNode). */
export function freezeOperation(op: BuildNode): OperationNode {
  const input = op.children.find((c) => c.kind === 'input')!;
  const output = op.children.find((c) => c.kind === 'output')!;
  return {
    name: op.name,
    module: op.module,
    input: freezeNodes(input.children, false),
    output: freezeNodes(output.children, false),
    ...(input.must.length > 0 ? { inputMust: input.must } : {}),
    ...(output.must.length > 0 ? { outputMust: output.must } : {}),
  };
}

/** A notification with its nodes (not configuration) and its own `must`s. */
export function freezeNotification(n: BuildNode): NotificationNode {
  return {
    name: n.name,
    module: n.module,
    children: freezeNodes(n.children, false),
    ...(n.must.length > 0 ? { must: n.must } : {}),
  };
}
