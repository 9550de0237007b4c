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

/** Where nodes are built: the lexical scope of their statements, the namespace they go into, and the groupings being expanded (one met again uses itself). */
export interface BuildContext {
  readonly scope: Scope;
  readonly namespace: string;
  readonly stack: readonly Statement[];
}

/** The context inside `statement`: its own typedefs and groupings in scope. */
function within(context: BuildContext, statement: Statement): BuildContext {
  const scope = childScope(context.scope, statement);
  return scope === context.scope ? context : { ...context, scope };
}

/** Builds the schema nodes defined directly in `statement` (uses expanded). */
export function buildChildren(statement: Statement, context: BuildContext): BuildNode[] {
  const out: BuildNode[] = [];
  for (const substatement of statement.subs) {
    if (!DATA_DEFS.has(substatement.keyword) || !enabledByFeatures(substatement, context.scope)) continue;
    if (substatement.keyword === 'uses') out.push(...expandUses(substatement, context));
    else out.push(buildNode(substatement, context));
  }
  return out;
}

/** Builds one node (`choice` holds its cases; shorthand cases get an implicit `case`). */
export function buildNode(statement: Statement, outer: BuildContext): BuildNode {
  const context = within(outer, statement);
  const { scope, namespace } = context;
  const kind =
    statement.keyword === 'rpc' || statement.keyword === 'action'
      ? 'operation'
      : (statement.keyword as BuildNode['kind']);
  const node: BuildNode = {
    kind,
    name: statement.arg ?? statement.keyword,
    module: namespace,
    statement,
    children: [],
    must: conditions(statement, 'must', scope, namespace),
    when: conditions(statement, 'when', scope, namespace),
  };
  const config = subArg(statement, 'config');
  if (config !== undefined) node.config = config === 'true';
  const mandatory = subArg(statement, 'mandatory');
  if (mandatory !== undefined) node.mandatory = mandatory === 'true';
  if (kind === 'leaf' || kind === 'leaf-list') {
    const typeStatement = sub(statement, 'type');
    if (typeStatement === undefined)
      throw new YangError(YangErrorCode.Grammar, `${kind} "${statement.arg}" needs a type`, {
        location: where(statement),
      });
    const resolved = resolveType(typeStatement, scope, namespace);
    node.type = resolved.spec;
    const defaults = subs(statement, 'default').map((child) => child.arg!);
    if (defaults.length > 0) node.defaults = defaults;
    else if (resolved.default !== undefined && !(kind === 'leaf' && node.mandatory === true))
      node.defaults = [resolved.default];
  }
  if (kind === 'container' && sub(statement, 'presence') !== undefined) node.presence = true;
  if (kind === 'list') {
    const key = subArg(statement, 'key');
    if (key !== undefined)
      node.keys = key
        .trim()
        .split(/\s+/)
        .map((name) => name.slice(name.indexOf(':') + 1));
    const uniques = subs(statement, 'unique').map((unique) =>
      unique
        .arg!.trim()
        .split(/\s+/)
        .map((path) => path.split('/').map((step) => step.slice(step.indexOf(':') + 1))),
    );
    if (uniques.length > 0) node.unique = uniques;
  }
  if (kind === 'list' || kind === 'leaf-list') {
    const min = subArg(statement, 'min-elements');
    const max = subArg(statement, 'max-elements');
    if (min !== undefined) node.minElements = Number(min);
    if (max !== undefined && max !== 'unbounded') node.maxElements = Number(max);
    if (subArg(statement, 'ordered-by') === 'user') node.userOrdered = true;
  }
  if (kind === 'choice') {
    node.children = buildChildren(statement, context).map((child) =>
      child.kind === 'case' ? child : shorthandCase(child),
    );
    const defaultCase = subArg(statement, 'default');
    if (defaultCase !== undefined) {
      if (!node.children.some((child) => child.name === defaultCase))
        throw new YangError(
          YangErrorCode.Unresolved,
          `choice "${statement.arg}" default case "${defaultCase}" does not exist`,
          {
            location: where(sub(statement, 'default')!),
          },
        );
      node.defaultCase = defaultCase;
    }
  } else if (kind === 'operation') {
    const input = sub(statement, 'input');
    const output = sub(statement, 'output');
    node.children = [
      inputOrOutput('input', input, context, statement),
      inputOrOutput('output', output, context, statement),
    ];
  } else if (kind !== 'leaf' && kind !== 'leaf-list') node.children = buildChildren(statement, context);
  return node;
}

/** An operation's `input` or `output`; an absent one is empty and stands at the operation's statement. */
function inputOrOutput(
  kind: 'input' | 'output',
  statement: Statement | undefined,
  context: BuildContext,
  operation: Statement,
): BuildNode {
  const namespace = context.namespace;
  if (statement === undefined)
    return { kind, name: kind, module: namespace, statement: operation, children: [], must: [], when: [] };
  const inner = within(context, statement);
  return {
    kind,
    name: kind,
    module: namespace,
    statement,
    children: buildChildren(statement, inner),
    must: conditions(statement, 'must', inner.scope, namespace),
    when: [],
  };
}

/** RFC 7950 §7.9.2: a data node directly in a choice is a case of its own name. */
export function shorthandCase(node: BuildNode): BuildNode {
  return {
    kind: 'case',
    name: node.name,
    module: node.module,
    statement: node.statement,
    children: [node],
    must: [],
    when: [],
  };
}

/** Compiles the `must`/`when` substatements of `statement`; unprefixed names in them are in `namespace`. */
export function conditions(
  statement: Statement,
  keyword: 'must' | 'when',
  scope: Scope,
  namespace: string,
  onParent = false,
): Condition[] {
  return subs(statement, keyword).map((child) => {
    let expr: XPathExpr;
    try {
      expr = parseXPath(child.arg!, names(scope, namespace));
    } catch (cause) {
      throw new YangError(YangErrorCode.XPath, (cause as Error).message, { location: where(child), cause });
    }
    const message = subArg(child, 'error-message');
    const tag = subArg(child, 'error-app-tag');
    return {
      expr,
      text: child.arg!,
      ...(message === undefined ? {} : { errorMessage: message }),
      ...(tag === undefined ? {} : { errorAppTag: tag }),
      ...(onParent ? { onParent } : {}),
    };
  });
}

/** RFC 7950 §7.13: copies a grouping's nodes into the context's namespace, then applies `refine`, inner `augment` and `when`. */
function expandUses(uses: Statement, context: BuildContext): BuildNode[] {
  const { scope, namespace, stack } = context;
  const grouping = lookup(scope, 'groupings', uses.arg!, uses);
  if (grouping === undefined)
    throw new YangError(YangErrorCode.Unresolved, `Unknown grouping "${uses.arg}" in uses`, { location: where(uses) });
  if (stack.includes(grouping.statement))
    throw new YangError(YangErrorCode.Cycle, `Grouping "${uses.arg}" uses itself`, { location: where(uses) });
  const nodes = buildChildren(grouping.statement, {
    scope: childScope(grouping.scope, grouping.statement),
    namespace,
    stack: [...stack, grouping.statement],
  });
  const holder: BuildNode = {
    kind: 'container',
    name: '',
    module: namespace,
    statement: uses,
    children: nodes,
    must: [],
    when: [],
  };
  for (const refinement of subs(uses, 'refine')) refine(holder, refinement, context);
  for (const augment of subs(uses, 'augment')) {
    if (!enabledByFeatures(augment, scope)) continue;
    const target = findDescendant(holder, augment.arg!, scope, augment);
    addAugment(target, augment, context);
  }
  const when = conditions(uses, 'when', scope, namespace, true);
  for (const node of holder.children) node.when.push(...when);
  return holder.children;
}

function refine(holder: BuildNode, refinement: Statement, context: BuildContext): void {
  const scope = context.scope;
  const node = findDescendant(holder, refinement.arg!, scope, refinement);
  if (!enabledByFeatures(refinement, scope)) {
    removeNode(holder, node);
    return;
  }
  const defaults = subs(refinement, 'default').map((child) => child.arg!);
  if (defaults.length > 0) {
    if (node.kind === 'choice') node.defaultCase = defaults[0]!;
    else node.defaults = defaults;
  }
  const mandatory = subArg(refinement, 'mandatory');
  if (mandatory !== undefined) node.mandatory = mandatory === 'true';
  if (sub(refinement, 'presence') !== undefined) node.presence = true;
  const config = subArg(refinement, 'config');
  if (config !== undefined) node.config = config === 'true';
  const min = subArg(refinement, 'min-elements');
  if (min !== undefined) node.minElements = Number(min);
  const max = subArg(refinement, 'max-elements');
  if (max !== undefined) {
    if (max === 'unbounded') delete node.maxElements;
    else node.maxElements = Number(max);
  }
  node.must.push(...conditions(refinement, 'must', scope, context.namespace));
}

/** Removes `node` from wherever it sits below `root`. */
export function removeNode(root: BuildNode, node: BuildNode): boolean {
  const index = root.children.indexOf(node);
  if (index >= 0) {
    root.children.splice(index, 1);
    return true;
  }
  return root.children.some((child) => removeNode(child, node));
}

/** Adds an augment's nodes to `target` (into a choice: as cases), with the augment's `when` (§7.17). */
export function addAugment(target: BuildNode, augment: Statement, context: BuildContext): void {
  if (['leaf', 'leaf-list', 'anydata', 'anyxml'].includes(target.kind)) {
    throw new YangError(
      YangErrorCode.Grammar,
      `augment "${augment.arg}" targets a ${target.kind}, which cannot have children`,
      { location: where(augment) },
    );
  }
  const inner = within(context, augment);
  let added = buildChildren(augment, inner);
  if (target.kind === 'choice') added = added.map((child) => (child.kind === 'case' ? child : shorthandCase(child)));
  const when = conditions(augment, 'when', inner.scope, inner.namespace, true);
  for (const node of added) node.when.push(...when);
  target.children.push(...added);
}
