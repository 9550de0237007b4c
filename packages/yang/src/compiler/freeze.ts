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
  return nodes.map((node) => freeze(node, parentConfig, inherited));
}

function freeze(node: BuildNode, parentConfig: boolean, inherited: readonly Condition[]): SchemaNode {
  const config = parentConfig && node.config !== false;
  const ownWhen = node.kind === 'choice' || node.kind === 'case' ? [] : [...inherited, ...node.when];
  const pass =
    node.kind === 'choice' || node.kind === 'case'
      ? [...inherited, ...node.when.map((condition) => ({ ...condition, onParent: true }))]
      : [];
  const out: Record<string, unknown> = { kind: node.kind, name: node.name, module: node.module, config };
  if (node.kind !== 'leaf' && node.kind !== 'leaf-list' && node.kind !== 'anydata' && node.kind !== 'anyxml')
    out.children = freezeNodes(node.children, config, pass);
  if (node.type !== undefined) out.type = node.type;
  if (node.mandatory === true) out.mandatory = true;
  if (node.presence === true) out.presence = true;
  if (node.keys !== undefined) out.keys = node.keys;
  if (node.unique !== undefined && node.unique.length > 0) out.unique = node.unique;
  if (node.minElements !== undefined && node.minElements > 0) out.minElements = node.minElements;
  if (node.maxElements !== undefined) out.maxElements = node.maxElements;
  if (node.defaults !== undefined) out.defaults = node.defaults;
  if (node.defaultCase !== undefined) out.defaultCase = node.defaultCase;
  if (node.must.length > 0) out.must = node.must;
  if (ownWhen.length > 0) out.when = ownWhen;
  if (node.userOrdered === true) out.userOrdered = true;
  return out as unknown as SchemaNode;
}

/** An RPC's or action's input and output; their nodes are not configuration (OperationNode). */
export function freezeOperation(operation: BuildNode): OperationNode {
  const input = operation.children.find((child) => child.kind === 'input')!;
  const output = operation.children.find((child) => child.kind === 'output')!;
  return {
    name: operation.name,
    module: operation.module,
    input: freezeNodes(input.children, false),
    output: freezeNodes(output.children, false),
    ...(input.must.length > 0 ? { inputMust: input.must } : {}),
    ...(output.must.length > 0 ? { outputMust: output.must } : {}),
  };
}

/** A notification with its nodes (not configuration) and its own `must`s. */
export function freezeNotification(notification: BuildNode): NotificationNode {
  return {
    name: notification.name,
    module: notification.module,
    children: freezeNodes(notification.children, false),
    ...(notification.must.length > 0 ? { must: notification.must } : {}),
  };
}
