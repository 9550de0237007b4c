import type { DataNode } from '../xpath/data-node.ts';

/** What kind of rule an instance broke. */
export type IssueKind =
  | 'type'
  | 'range'
  | 'length'
  | 'pattern'
  | 'enum'
  | 'identity'
  | 'unknown'
  | 'state'
  | 'mandatory'
  | 'missing-key'
  | 'duplicate'
  | 'unique'
  | 'min-elements'
  | 'max-elements'
  | 'choice'
  | 'must'
  | 'when'
  | 'leafref'
  | 'instance-required';

/** One problem in a document: where (instance path), what was expected, what came. */
export interface YangIssue {
  readonly kind: IssueKind;
  /** Instance path as RFC 8040 / yanglint print it: `/mod:cont/list[name='x']/leaf`. */
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly received?: unknown;
  /** `error-app-tag` of the broken `must`, if any. */
  readonly appTag?: string;
}

function quote(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** One path segment: the name, module-qualified where the namespace changes (RFC 7951 §4). */
export function segment(node: DataNode): string {
  const parent = node.parent;
  const name =
    parent === undefined || parent.parent === undefined || parent.module !== node.module
      ? `${node.module}:${node.name}`
      : node.name;
  const schema = node.schema;
  if (node.position !== undefined) return `${name}[${node.position}]`;
  if (schema?.kind === 'list' && schema.keys !== undefined) {
    let preds = '';
    for (const key of schema.keys) {
      // keys are always built (never left to validate/lazy.ts), so the built children hold them, even mid-walk
      let keyNode: DataNode | undefined;
      for (const child of node.children)
        if (child.name === key && child.module === node.module) {
          keyNode = child;
          break;
        }
      if (keyNode !== undefined) preds += `[${key}=${quote(keyNode.value ?? '')}]`;
    }
    return name + preds;
  }
  if (schema?.kind === 'leaf-list' && node.value !== undefined) return `${name}[.=${quote(node.value)}]`;
  return name;
}

/** Instance path of a data node. */
export function pathOf(node: DataNode | undefined): string {
  if (node === undefined || node.parent === undefined) return '';
  return `${pathOf(node.parent)}/${segment(node)}`;
}

/** Path of a (possibly absent) child `module:name` below `parent`. */
export function childPath(parent: DataNode, module: string, name: string): string {
  const segmentName = parent.parent === undefined || parent.module !== module ? `${module}:${name}` : name;
  return `${pathOf(parent)}/${segmentName}`;
}
