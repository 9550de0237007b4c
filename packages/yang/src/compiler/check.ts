import { YangError, YangErrorCode } from '../errors.ts';
import { where } from '../parser/statement.ts';
import type { TypeSpec } from '../schema.ts';
import type { Step } from '../xpath/ast.ts';
import { type BuildNode, dataChildren } from './build-node.ts';

/** Sibling names are unique across cases (RFC 7950 §6.2.1); list keys name leaf children (§7.8.2). */
export function checkTree(nodes: BuildNode[], parent = 'the module'): void {
  const seen = new Map<string, BuildNode>();
  const flat = dataChildren({
    kind: 'container',
    name: '',
    module: '',
    statement: nodes[0]?.statement ?? ({} as BuildNode['statement']),
    children: nodes,
    must: [],
    when: [],
  });
  for (const node of flat) {
    const key = `${node.module}:${node.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new YangError(
        YangErrorCode.Duplicate,
        `Duplicate ${node.kind} "${node.name}" in ${parent}: "${node.name}" is already defined at ${first.statement.file}:${first.statement.line}:${first.statement.column}`,
        { location: where(node.statement) },
      );
    }
    seen.set(key, node);
  }
  for (const node of flat) {
    if (node.kind === 'list') {
      for (const key of node.keys ?? []) {
        const leaf = node.children.find((child) => child.name === key && child.kind === 'leaf');
        if (leaf === undefined)
          throw new YangError(YangErrorCode.Unresolved, `list "${node.name}" key "${key}" is not a leaf of the list`, {
            location: where(node.statement),
          });
      }
    }
    if (node.kind === 'operation') {
      for (const section of node.children) checkTree(section.children, `${section.kind} of "${node.name}"`);
    } else if (node.children.length > 0) checkTree(node.children, `${node.kind} "${node.name}"`);
  }
}

/** Resolves each leafref's target and records its type (the value space of the leafref). */
export function resolveLeafrefs(tops: BuildNode[]): void {
  const visit = (node: BuildNode, ancestors: BuildNode[]): void => {
    if (node.type !== undefined) node.type = withTargets(node.type, node, ancestors, tops);
    const isData = node.kind !== 'choice' && node.kind !== 'case' && node.kind !== 'input' && node.kind !== 'output';
    for (const child of node.children) visit(child, isData ? [...ancestors, node] : ancestors);
  };
  for (const top of tops) visit(top, []);
}

function withTargets(type: TypeSpec, leaf: BuildNode, ancestors: BuildNode[], tops: BuildNode[]): TypeSpec {
  if (type.union !== undefined)
    return { ...type, union: type.union.map((member) => withTargets(member, leaf, ancestors, tops)) };
  if (type.base !== 'leafref' || type.path === undefined || type.target !== undefined) return type;
  const path = type.path;
  if (path.t !== 'path' || path.from !== undefined) return type; // deref(): the target is only known per instance
  let current: BuildNode | undefined;
  let stack: BuildNode[];
  if (path.abs) {
    stack = [];
    current = {
      kind: 'container',
      name: '',
      module: '',
      statement: leaf.statement,
      children: tops,
      must: [],
      when: [],
    };
  } else {
    stack = [...ancestors];
    current = leaf;
  }
  for (const step of path.steps) {
    current = stepTo(current, step, stack);
    if (current === undefined)
      throw new YangError(
        YangErrorCode.Unresolved,
        `leafref path "${type.pathText}" of "${leaf.name}" does not lead to a node`,
        { location: where(leaf.statement) },
      );
  }
  if (current.kind !== 'leaf' && current.kind !== 'leaf-list')
    throw new YangError(
      YangErrorCode.Unresolved,
      `leafref path "${type.pathText}" of "${leaf.name}" leads to a ${current.kind}, not a leaf`,
      { location: where(leaf.statement) },
    );
  if (current.type === undefined) return type;
  const target =
    current.type.base === 'leafref' && current.type.target === undefined
      ? withTargets(current.type, current, stack.slice(0, -1), tops)
      : current.type;
  return { ...type, target: target.base === 'leafref' && target.target !== undefined ? target.target : target };
}

function stepTo(current: BuildNode | undefined, step: Step, stack: BuildNode[]): BuildNode | undefined {
  if (current === undefined) return undefined;
  if (step.axis === 'parent') return stack.pop();
  if (step.axis === 'self') return current;
  if (step.test.k !== 'name') return undefined;
  const { module, name } = step.test;
  const children =
    current.kind === 'operation' ? current.children.flatMap((section) => dataChildren(section)) : dataChildren(current);
  const next = children.find((child) => child.name === name && child.module === module);
  if (next !== undefined) stack.push(current);
  return next;
}
