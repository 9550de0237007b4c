import type { Step, XPathExpr } from './ast.ts';
import { axis } from './axes.ts';
import { childrenNamed, type DataNode, rootOf, stringValue } from './data-node.ts';
import { callFunction } from './functions.ts';
import { compare, toBoolean, toNumber, type XPathValue } from './values.ts';

export { compare, toBoolean, toNumber, toText, type XPathValue } from './values.ts';

/** What an evaluation needs beyond the context node. */
export interface XPathContext {
  /** The node `current()` returns (RFC 7950 §10.1.1). */
  readonly current: DataNode;
  /** `module:identity` → every identity derived from it. */
  readonly derived: (identity: string) => ReadonlySet<string> | undefined;
  /** Compiled XSD pattern, cached by the caller. */
  readonly regex: (xsd: string) => RegExp;
}

/** The context node with its position and the size of the node-set it was taken from (XPath 1.0 §1: the context). */
export interface Focus {
  readonly node: DataNode;
  readonly position: number;
  readonly size: number;
}

/** Evaluates `expr` with `node` as context node. */
export function evaluate(expr: XPathExpr, node: DataNode, context: XPathContext): XPathValue {
  return evaluateIn(expr, { node, position: 1, size: 1 }, context);
}

function evaluateIn(expr: XPathExpr, focus: Focus, context: XPathContext): XPathValue {
  switch (expr.t) {
    case 'num':
      return expr.v;
    case 'str':
      return expr.v;
    case 'neg':
      return -toNumber(evaluateIn(expr.e, focus, context));
    case 'var':
      return '';
    case 'fn':
      return callFunction(
        expr,
        expr.args.map((argument) => () => evaluateIn(argument, focus, context)),
        focus,
        context,
      );
    case 'filter': {
      const base = evaluateIn(expr.e, focus, context);
      if (!Array.isArray(base)) return base;
      return applyPredicates(base, expr.preds, context);
    }
    case 'path': {
      let nodes: DataNode[];
      if (expr.from !== undefined) {
        const start = evaluateIn(expr.from, focus, context);
        nodes = Array.isArray(start) ? start : [];
      } else nodes = [expr.abs ? rootOf(focus.node) : focus.node];
      for (const step of expr.steps) nodes = applyStep(nodes, step, context);
      return nodes;
    }
    case 'bin':
      return binary(expr.op, expr.l, expr.r, focus, context);
  }
}

function binary(operator: string, left: XPathExpr, right: XPathExpr, focus: Focus, context: XPathContext): XPathValue {
  if (operator === 'or')
    return toBoolean(evaluateIn(left, focus, context)) || toBoolean(evaluateIn(right, focus, context));
  if (operator === 'and')
    return toBoolean(evaluateIn(left, focus, context)) && toBoolean(evaluateIn(right, focus, context));
  const leftValue = evaluateIn(left, focus, context);
  const rightValue = evaluateIn(right, focus, context);
  switch (operator) {
    case '|':
      return union(Array.isArray(leftValue) ? leftValue : [], Array.isArray(rightValue) ? rightValue : []);
    case '+':
      return toNumber(leftValue) + toNumber(rightValue);
    case '-':
      return toNumber(leftValue) - toNumber(rightValue);
    case '*':
      return toNumber(leftValue) * toNumber(rightValue);
    case 'div':
      return toNumber(leftValue) / toNumber(rightValue);
    case 'mod':
      return toNumber(leftValue) % toNumber(rightValue);
    default:
      return compare(operator, leftValue, rightValue);
  }
}

function union(first: DataNode[], second: DataNode[]): DataNode[] {
  if (first.length === 0) return second;
  const seen = new Set(first);
  return first.concat(second.filter((node) => !seen.has(node)));
}

function applyStep(nodes: DataNode[], step: Step, context: XPathContext): DataNode[] {
  if (nodes.length === 1 && step.preds.length === 0) {
    // the common `..` and `name` steps from one node, without the general loop
    const node = nodes[0]!;
    if (step.axis === 'parent' && step.test.k === 'node') return node.parent === undefined ? [] : [node.parent];
    if (step.axis === 'child' && step.test.k === 'name')
      return childrenNamed(node, step.test.module, step.test.name) as DataNode[];
  }
  const out: DataNode[] = [];
  const dedupe = nodes.length > 1 && step.axis !== 'child' && step.axis !== 'self' && step.axis !== 'attribute';
  const seen = dedupe ? new Set<DataNode>() : undefined;
  for (const node of nodes) {
    let selected = indexedStep(node, step, context) ?? applyPredicates(axisNodes(node, step), step.preds, context);
    if (seen !== undefined)
      selected = selected.filter((candidate) => {
        if (seen.has(candidate)) return false;
        seen.add(candidate);
        return true;
      });
    for (const candidate of selected) out.push(candidate);
  }
  return out;
}

function axisNodes(node: DataNode, step: Step): DataNode[] {
  const test = step.test;
  if (step.axis === 'child' && test.k === 'name') return childrenNamed(node, test.module, test.name) as DataNode[];
  const all = axis(node, step.axis);
  return all.filter((candidate) =>
    test.k === 'node'
      ? true
      : test.k === 'text'
        ? candidate.value !== undefined
        : test.k === 'any'
          ? test.module === undefined || candidate.module === test.module
          : candidate.name === test.name && candidate.module === test.module,
  );
}

function applyPredicates(nodes: DataNode[], predicates: readonly XPathExpr[], context: XPathContext): DataNode[] {
  let remaining = nodes;
  for (const predicate of predicates) {
    const size = remaining.length;
    remaining = remaining.filter((node, index) => {
      const result = evaluateIn(predicate, { node, position: index + 1, size }, context);
      return typeof result === 'number' ? result === index + 1 : toBoolean(result);
    });
  }
  return remaining;
}

/**
 * `list[key = <context-free expr>]` through a per-parent hash index, so a
 * leafref or must per entry costs O(1), not O(entries) (yang-js issue #73).
 */
function indexedStep(node: DataNode, step: Step, context: XPathContext): DataNode[] | undefined {
  const first = step.preds[0];
  if (step.axis !== 'child' || step.test.k !== 'name' || first?.t !== 'bin' || first.op !== '=') return undefined;
  const leaf = childLeafName(first.l);
  if (leaf === undefined || !contextFree(first.r)) return undefined;
  const want = evaluateIn(first.r, { node: context.current, position: 1, size: 1 }, context);
  if (typeof want === 'number' || typeof want === 'boolean') return undefined;
  const indexKey = `${step.test.module}:${step.test.name}|${leaf.module}:${leaf.name}`;
  node.keyIndex ??= new Map();
  let index = node.keyIndex.get(indexKey);
  if (index === undefined) {
    index = new Map();
    for (const entry of childrenNamed(node, step.test.module, step.test.name)) {
      for (const key of childrenNamed(entry, leaf.module, leaf.name)) {
        const value = stringValue(key);
        const list = index.get(value);
        if (list === undefined) index.set(value, [entry]);
        else if (list[list.length - 1] !== entry) list.push(entry);
      }
    }
    node.keyIndex.set(indexKey, index);
  }
  let hits: DataNode[];
  if (typeof want === 'string') hits = index.get(want) ?? [];
  else {
    hits = [];
    for (const wantedNode of want)
      for (const hit of index.get(stringValue(wantedNode)) ?? []) if (!hits.includes(hit)) hits.push(hit);
  }
  return applyPredicates(hits, step.preds.slice(1), context);
}

function childLeafName(expr: XPathExpr): { module: string; name: string } | undefined {
  if (expr.t !== 'path' || expr.abs || expr.from !== undefined || expr.steps.length !== 1) return undefined;
  const step = expr.steps[0]!;
  return step.axis === 'child' && step.test.k === 'name' && step.preds.length === 0 ? step.test : undefined;
}

/** True when `expr` depends neither on the context node nor on position. */
export function contextFree(expr: XPathExpr): boolean {
  switch (expr.t) {
    case 'num':
    case 'str':
    case 'var':
      return true;
    case 'neg':
      return contextFree(expr.e);
    case 'bin':
      return contextFree(expr.l) && contextFree(expr.r);
    case 'filter':
      return contextFree(expr.e);
    case 'fn':
      return (
        expr.name === 'current' ||
        (expr.args.length > 0 && expr.name !== 'last' && expr.name !== 'position' && expr.args.every(contextFree))
      );
    case 'path':
      return expr.from !== undefined ? contextFree(expr.from) : expr.abs;
  }
}
