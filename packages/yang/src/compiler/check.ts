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
  for (const n of flat) {
    const key = `${n.module}:${n.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new YangError(
        YangErrorCode.Duplicate,
        `Duplicate ${n.kind} "${n.name}" in ${parent}: "${n.name}" is already defined at ${first.statement.file}:${first.statement.line}:${first.statement.column}`,
        { location: where(n.statement) },
      );
    }
    seen.set(key, n);
  }
  for (const n of flat) {
    if (n.kind === 'list') {
      for (const k of n.keys ?? []) {
        const leaf = n.children.find((c) => c.name === k && c.kind === 'leaf');
        if (leaf === undefined)
          throw new YangError(YangErrorCode.Unresolved, `list "${n.name}" key "${k}" is not a leaf of the list`, {
            location: where(n.statement),
          });
      }
    }
    if (n.kind === 'operation') {
      for (const io of n.children) checkTree(io.children, `${io.kind} of "${n.name}"`);
    } else if (n.children.length > 0) checkTree(n.children, `${n.kind} "${n.name}"`);
  }
}

/** Resolves each leafref's target and records its type (the value space of the leafref). */
export function resolveLeafrefs(tops: BuildNode[]): void {
  const visit = (n: BuildNode, ancestors: BuildNode[]): void => {
    if (n.type !== undefined) n.type = withTargets(n.type, n, ancestors, tops);
    const isData = n.kind !== 'choice' && n.kind !== 'case' && n.kind !== 'input' && n.kind !== 'output';
    for (const c of n.children) visit(c, isData ? [...ancestors, n] : ancestors);
  };
  for (const t of tops) visit(t, []);
}

function withTargets(t: TypeSpec, leaf: BuildNode, ancestors: BuildNode[], tops: BuildNode[]): TypeSpec {
  if (t.union !== undefined) return { ...t, union: t.union.map((u) => withTargets(u, leaf, ancestors, tops)) };
  if (t.base !== 'leafref' || t.path === undefined || t.target !== undefined) return t;
  const p = t.path;
  if (p.t !== 'path' || p.from !== undefined) return t; // deref(): the target is only known per instance
  let cur: BuildNode | undefined;
  let stack: BuildNode[];
  if (p.abs) {
    stack = [];
    cur = { kind: 'container', name: '', module: '', statement: leaf.statement, children: tops, must: [], when: [] };
  } else {
    stack = [...ancestors];
    cur = leaf;
  }
  for (const step of p.steps) {
    cur = stepTo(cur, step, stack);
    if (cur === undefined)
      throw new YangError(
        YangErrorCode.Unresolved,
        `leafref path "${t.pathText}" of "${leaf.name}" does not lead to a node`,
        { location: where(leaf.statement) },
      );
  }
  if (cur.kind !== 'leaf' && cur.kind !== 'leaf-list')
    throw new YangError(
      YangErrorCode.Unresolved,
      `leafref path "${t.pathText}" of "${leaf.name}" leads to a ${cur.kind}, not a leaf`,
      { location: where(leaf.statement) },
    );
  if (cur.type === undefined) return t;
  const target =
    cur.type.base === 'leafref' && cur.type.target === undefined
      ? withTargets(cur.type, cur, stack.slice(0, -1), tops)
      : cur.type;
  return { ...t, target: target.base === 'leafref' && target.target !== undefined ? target.target : target };
}

function stepTo(cur: BuildNode | undefined, step: Step, stack: BuildNode[]): BuildNode | undefined {
  if (cur === undefined) return undefined;
  if (step.axis === 'parent') return stack.pop();
  if (step.axis === 'self') return cur;
  if (step.test.k !== 'name') return undefined;
  const { module, name } = step.test;
  const kids = cur.kind === 'operation' ? cur.children.flatMap((io) => dataChildren(io)) : dataChildren(cur);
  const next = kids.find((c) => c.name === name && c.module === module);
  if (next !== undefined) stack.push(cur);
  return next;
}
