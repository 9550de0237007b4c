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

function quote(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

/** One path segment: the name, module-qualified where the namespace changes (RFC 7951 §4). */
export function segment(n: DataNode): string {
  const p = n.parent;
  const name = p === undefined || p.parent === undefined || p.module !== n.module ? `${n.module}:${n.name}` : n.name;
  const s = n.schema;
  if (n.position !== undefined) return `${name}[${n.position}]`;
  if (s?.kind === 'list' && s.keys !== undefined) {
    let preds = '';
    for (const k of s.keys) {
      // keys are always built (never left to validate/lazy.ts), so the built children hold them, even mid-walk
      let kn: DataNode | undefined;
      for (const c of n.children)
        if (c.name === k && c.module === n.module) {
          kn = c;
          break;
        }
      if (kn !== undefined) preds += `[${k}=${quote(kn.value ?? '')}]`;
    }
    return name + preds;
  }
  if (s?.kind === 'leaf-list' && n.value !== undefined) return `${name}[.=${quote(n.value)}]`;
  return name;
}

/** Instance path of a data node. */
export function pathOf(n: DataNode | undefined): string {
  if (n === undefined || n.parent === undefined) return '';
  return `${pathOf(n.parent)}/${segment(n)}`;
}

/** Path of a (possibly absent) child `module:name` below `parent`. */
export function childPath(parent: DataNode, module: string, name: string): string {
  const q = parent.parent === undefined || parent.module !== module ? `${module}:${name}` : name;
  return `${pathOf(parent)}/${q}`;
}
