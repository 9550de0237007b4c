import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, sub, subArg, subs, where } from '../parser/statement.ts';
import type { Condition } from '../schema.ts';
import type { XPathExpr } from '../xpath/ast.ts';
import { parseXPath } from '../xpath/parse.ts';
import type { BuildNode } from './build-node.ts';
import { enabledByFeatures } from './features.ts';
import { childScope, lookup, type Scope } from './modules.ts';
import { findDescendant } from './paths.ts';
import { names, resolveType } from './types.ts';

const DATA_DEFS = new Set([
  'container',
  'leaf',
  'leaf-list',
  'list',
  'choice',
  'anydata',
  'anyxml',
  'uses',
  'case',
  'action',
  'notification',
  'input',
  'output',
]);

/** Builds the schema nodes defined directly in `stmt` (uses expanded). `ns` is their namespace. */
export function buildChildren(
  stmt: Statement,
  scope: Scope,
  ns: string,
  stack: readonly Statement[] = [],
): BuildNode[] {
  const out: BuildNode[] = [];
  for (const s of stmt.subs) {
    if (!DATA_DEFS.has(s.keyword) || !enabledByFeatures(s, scope)) continue;
    if (s.keyword === 'uses') out.push(...expandUses(s, scope, ns, stack));
    else out.push(buildNode(s, scope, ns, stack));
  }
  return out;
}

/** Builds one node (`choice` holds its cases; shorthand cases get an implicit `case`). */
export function buildNode(s: Statement, outer: Scope, ns: string, stack: readonly Statement[]): BuildNode {
  const scope = childScope(outer, s);
  const kind = s.keyword === 'rpc' || s.keyword === 'action' ? 'operation' : (s.keyword as BuildNode['kind']);
  const n: BuildNode = {
    kind,
    name: s.arg ?? s.keyword,
    module: ns,
    statement: s,
    children: [],
    must: conditions(s, 'must', scope, ns),
    when: conditions(s, 'when', scope, ns),
  };
  const config = subArg(s, 'config');
  if (config !== undefined) n.config = config === 'true';
  const mandatory = subArg(s, 'mandatory');
  if (mandatory !== undefined) n.mandatory = mandatory === 'true';
  if (kind === 'leaf' || kind === 'leaf-list') {
    const t = sub(s, 'type');
    if (t === undefined)
      throw new YangError(YangErrorCode.Grammar, `${kind} "${s.arg}" needs a type`, { location: where(s) });
    const r = resolveType(t, scope, ns);
    n.type = r.spec;
    const defs = subs(s, 'default').map((d) => d.arg!);
    if (defs.length > 0) n.defaults = defs;
    else if (r.default !== undefined && !(kind === 'leaf' && n.mandatory === true)) n.defaults = [r.default];
  }
  if (kind === 'container' && sub(s, 'presence') !== undefined) n.presence = true;
  if (kind === 'list') {
    const key = subArg(s, 'key');
    if (key !== undefined)
      n.keys = key
        .trim()
        .split(/\s+/)
        .map((k) => k.slice(k.indexOf(':') + 1));
    const uniques = subs(s, 'unique').map((u) =>
      u
        .arg!.trim()
        .split(/\s+/)
        .map((p) => p.split('/').map((x) => x.slice(x.indexOf(':') + 1))),
    );
    if (uniques.length > 0) n.unique = uniques;
  }
  if (kind === 'list' || kind === 'leaf-list') {
    const min = subArg(s, 'min-elements');
    const max = subArg(s, 'max-elements');
    if (min !== undefined) n.minElements = Number(min);
    if (max !== undefined && max !== 'unbounded') n.maxElements = Number(max);
    if (subArg(s, 'ordered-by') === 'user') n.userOrdered = true;
  }
  if (kind === 'choice') {
    n.children = buildChildren(s, scope, ns, stack).map((c) => (c.kind === 'case' ? c : shorthandCase(c)));
    const d = subArg(s, 'default');
    if (d !== undefined) {
      if (!n.children.some((c) => c.name === d))
        throw new YangError(YangErrorCode.Unresolved, `choice "${s.arg}" default case "${d}" does not exist`, {
          location: where(sub(s, 'default')!),
        });
      n.defaultCase = d;
    }
  } else if (kind === 'operation') {
    const input = sub(s, 'input');
    const output = sub(s, 'output');
    n.children = [
      inputOrOutput('input', input, scope, ns, stack, s),
      inputOrOutput('output', output, scope, ns, stack, s),
    ];
  } else if (kind !== 'leaf' && kind !== 'leaf-list') n.children = buildChildren(s, scope, ns, stack);
  return n;
}

function inputOrOutput(
  kind: 'input' | 'output',
  s: Statement | undefined,
  scope: Scope,
  ns: string,
  stack: readonly Statement[],
  op: Statement,
): BuildNode {
  const at = s ?? op;
  if (s === undefined) return { kind, name: kind, module: ns, statement: at, children: [], must: [], when: [] };
  const inner = childScope(scope, s);
  return {
    kind,
    name: kind,
    module: ns,
    statement: s,
    children: buildChildren(s, inner, ns, stack),
    must: conditions(s, 'must', inner, ns),
    when: [],
  };
}

/** RFC 7950 §7.9.2: a data node directly in a choice is a case of its own name. */
export function shorthandCase(c: BuildNode): BuildNode {
  return { kind: 'case', name: c.name, module: c.module, statement: c.statement, children: [c], must: [], when: [] };
}

/** Compiles the `must`/`when` substatements of `s`. */
export function conditions(
  s: Statement,
  keyword: 'must' | 'when',
  scope: Scope,
  ns: string,
  onParent = false,
): Condition[] {
  return subs(s, keyword).map((c) => {
    let expr: XPathExpr;
    try {
      expr = parseXPath(c.arg!, names(scope, ns));
    } catch (cause) {
      throw new YangError(YangErrorCode.XPath, (cause as Error).message, { location: where(c), cause });
    }
    const msg = subArg(c, 'error-message');
    const tag = subArg(c, 'error-app-tag');
    return {
      expr,
      text: c.arg!,
      ...(msg === undefined ? {} : { errorMessage: msg }),
      ...(tag === undefined ? {} : { errorAppTag: tag }),
      ...(onParent ? { onParent } : {}),
    };
  });
}

/** RFC 7950 §7.13: copies a grouping's nodes into `ns`, then applies `refine`, inner `augment` and `when`. */
function expandUses(u: Statement, scope: Scope, ns: string, stack: readonly Statement[]): BuildNode[] {
  const g = lookup(scope, 'groupings', u.arg!, u);
  if (g === undefined)
    throw new YangError(YangErrorCode.Unresolved, `Unknown grouping "${u.arg}" in uses`, { location: where(u) });
  if (stack.includes(g.statement))
    throw new YangError(YangErrorCode.Cycle, `Grouping "${u.arg}" uses itself`, { location: where(u) });
  const nodes = buildChildren(g.statement, childScope(g.scope, g.statement), ns, [...stack, g.statement]);
  const holder: BuildNode = {
    kind: 'container',
    name: '',
    module: ns,
    statement: u,
    children: nodes,
    must: [],
    when: [],
  };
  for (const r of subs(u, 'refine')) refine(holder, r, scope, ns);
  for (const a of subs(u, 'augment')) {
    if (!enabledByFeatures(a, scope)) continue;
    const target = findDescendant(holder, a.arg!, scope, a);
    addAugment(target, a, scope, ns, stack);
  }
  const when = conditions(u, 'when', scope, ns, true);
  for (const n of holder.children) n.when.push(...when);
  return holder.children;
}

function refine(holder: BuildNode, r: Statement, scope: Scope, ns: string): void {
  const node = findDescendant(holder, r.arg!, scope, r);
  if (!enabledByFeatures(r, scope)) {
    removeNode(holder, node);
    return;
  }
  const defs = subs(r, 'default').map((d) => d.arg!);
  if (defs.length > 0) {
    if (node.kind === 'choice') node.defaultCase = defs[0]!;
    else node.defaults = defs;
  }
  const mandatory = subArg(r, 'mandatory');
  if (mandatory !== undefined) node.mandatory = mandatory === 'true';
  if (sub(r, 'presence') !== undefined) node.presence = true;
  const config = subArg(r, 'config');
  if (config !== undefined) node.config = config === 'true';
  const min = subArg(r, 'min-elements');
  if (min !== undefined) node.minElements = Number(min);
  const max = subArg(r, 'max-elements');
  if (max !== undefined) {
    if (max === 'unbounded') delete node.maxElements;
    else node.maxElements = Number(max);
  }
  node.must.push(...conditions(r, 'must', scope, ns));
}

/** Removes `node` from wherever it sits below `root`. */
export function removeNode(root: BuildNode, node: BuildNode): boolean {
  const i = root.children.indexOf(node);
  if (i >= 0) {
    root.children.splice(i, 1);
    return true;
  }
  return root.children.some((c) => removeNode(c, node));
}

/** Adds an augment's nodes to `target` (into a choice: as cases), with the augment's `when` (§7.17). */
export function addAugment(
  target: BuildNode,
  a: Statement,
  scope: Scope,
  ns: string,
  stack: readonly Statement[],
): void {
  if (['leaf', 'leaf-list', 'anydata', 'anyxml'].includes(target.kind)) {
    throw new YangError(
      YangErrorCode.Grammar,
      `augment "${a.arg}" targets a ${target.kind}, which cannot have children`,
      { location: where(a) },
    );
  }
  const inner = childScope(scope, a);
  let added = buildChildren(a, inner, ns, stack);
  if (target.kind === 'choice') added = added.map((c) => (c.kind === 'case' ? c : shorthandCase(c)));
  const when = conditions(a, 'when', inner, ns, true);
  for (const n of added) n.when.push(...when);
  target.children.push(...added);
}
