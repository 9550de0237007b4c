import type { Statement } from '../parser/statement.ts';
import type { Condition, NodeKind, TypeSpec } from '../schema.ts';

/** A schema node while compiling: mutable, knows its statement; `freeze` turns it into plain data. */
export interface BuildNode {
  kind: NodeKind | 'operation' | 'input' | 'output' | 'notification';
  name: string;
  module: string;
  statement: Statement;
  children: BuildNode[];
  config?: boolean;
  type?: TypeSpec;
  mandatory?: boolean;
  presence?: boolean;
  keys?: string[];
  unique?: string[][][];
  minElements?: number;
  maxElements?: number;
  defaults?: string[];
  defaultCase?: string;
  must: Condition[];
  when: Condition[];
  userOrdered?: boolean;
}

export const DATA_KINDS: ReadonlySet<string> = new Set(['container', 'leaf', 'leaf-list', 'list', 'anydata', 'anyxml']);

/** Data-node children of `node`, looking through choice and case. */
export function dataChildren(node: BuildNode): BuildNode[] {
  const out: BuildNode[] = [];
  for (const child of node.children) {
    if (child.kind === 'choice' || child.kind === 'case') out.push(...dataChildren(child));
    else out.push(child);
  }
  return out;
}
