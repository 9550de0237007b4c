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

interface Focus {
  readonly node: DataNode;
  readonly position: number;
  readonly size: number;
}

/** Evaluates `e` with `node` as context node. */
export function evaluate(e: XPathExpr, node: DataNode, cx: XPathContext): XPathValue {
  return evaluateIn(e, { node, position: 1, size: 1 }, cx);
}

function evaluateIn(e: XPathExpr, f: Focus, cx: XPathContext): XPathValue {
  switch (e.t) {
    case 'num':
      return e.v;
    case 'str':
      return e.v;
    case 'neg':
      return -toNumber(evaluateIn(e.e, f, cx));
    case 'var':
      return '';
    case 'fn':
      return callFunction(
        e,
        e.args.map((a) => () => evaluateIn(a, f, cx)),
        f.node,
        f.position,
        f.size,
        cx,
      );
    case 'filter': {
      const base = evaluateIn(e.e, f, cx);
      if (!Array.isArray(base)) return base;
      return applyPredicates(base, e.preds, cx);
    }
    case 'path': {
      let nodes: DataNode[];
      if (e.from !== undefined) {
        const v = evaluateIn(e.from, f, cx);
        nodes = Array.isArray(v) ? v : [];
      } else nodes = [e.abs ? rootOf(f.node) : f.node];
      for (const step of e.steps) nodes = applyStep(nodes, step, cx);
      return nodes;
    }
    case 'bin':
      return binary(e.op, e.l, e.r, f, cx);
  }
}

function binary(op: string, l: XPathExpr, r: XPathExpr, f: Focus, cx: XPathContext): XPathValue {
  if (op === 'or') return toBoolean(evaluateIn(l, f, cx)) || toBoolean(evaluateIn(r, f, cx));
  if (op === 'and') return toBoolean(evaluateIn(l, f, cx)) && toBoolean(evaluateIn(r, f, cx));
  const a = evaluateIn(l, f, cx);
  const b = evaluateIn(r, f, cx);
  switch (op) {
    case '|':
      return union(Array.isArray(a) ? a : [], Array.isArray(b) ? b : []);
    case '+':
      return toNumber(a) + toNumber(b);
    case '-':
      return toNumber(a) - toNumber(b);
    case '*':
      return toNumber(a) * toNumber(b);
    case 'div':
      return toNumber(a) / toNumber(b);
    case 'mod':
      return toNumber(a) % toNumber(b);
    default:
      return compare(op, a, b);
  }
}

function union(a: DataNode[], b: DataNode[]): DataNode[] {
  if (a.length === 0) return b;
  const seen = new Set(a);
  return a.concat(b.filter((n) => !seen.has(n)));
}

function applyStep(nodes: DataNode[], step: Step, cx: XPathContext): DataNode[] {
  if (nodes.length === 1 && step.preds.length === 0) {
    // the common `..` and `name` steps from one node, without the general loop
    const n = nodes[0]!;
    if (step.axis === 'parent' && step.test.k === 'node') return n.parent === undefined ? [] : [n.parent];
    if (step.axis === 'child' && step.test.k === 'name')
      return childrenNamed(n, step.test.module, step.test.name) as DataNode[];
  }
  const out: DataNode[] = [];
  const dedupe = nodes.length > 1 && step.axis !== 'child' && step.axis !== 'self' && step.axis !== 'attribute';
  const seen = dedupe ? new Set<DataNode>() : undefined;
  for (const n of nodes) {
    let sel = indexedStep(n, step, cx) ?? applyPredicates(axisNodes(n, step), step.preds, cx);
    if (seen !== undefined)
      sel = sel.filter((x) => {
        if (seen.has(x)) return false;
        seen.add(x);
        return true;
      });
    for (const x of sel) out.push(x);
  }
  return out;
}

function axisNodes(n: DataNode, step: Step): DataNode[] {
  const t = step.test;
  if (step.axis === 'child' && t.k === 'name') return childrenNamed(n, t.module, t.name) as DataNode[];
  const all = axis(n, step.axis);
  return all.filter((x) =>
    t.k === 'node'
      ? true
      : t.k === 'text'
        ? x.value !== undefined
        : t.k === 'any'
          ? t.module === undefined || x.module === t.module
          : x.name === t.name && x.module === t.module,
  );
}

function applyPredicates(nodes: DataNode[], preds: readonly XPathExpr[], cx: XPathContext): DataNode[] {
  let cur = nodes;
  for (const p of preds) {
    const size = cur.length;
    cur = cur.filter((node, i) => {
      const v = evaluateIn(p, { node, position: i + 1, size }, cx);
      return typeof v === 'number' ? v === i + 1 : toBoolean(v);
    });
  }
  return cur;
}

/**
 * `list[key = <context-free expr>]` through a per-parent hash index, so a
 * leafref or must per entry costs O(1), not O(entries) (yang-js issue #73).
 */
function indexedStep(n: DataNode, step: Step, cx: XPathContext): DataNode[] | undefined {
  const first = step.preds[0];
  if (step.axis !== 'child' || step.test.k !== 'name' || first?.t !== 'bin' || first.op !== '=') return undefined;
  const leaf = childLeafName(first.l);
  if (leaf === undefined || !contextFree(first.r)) return undefined;
  const want = evaluateIn(first.r, { node: cx.current, position: 1, size: 1 }, cx);
  if (typeof want === 'number' || typeof want === 'boolean') return undefined;
  const idxKey = `${step.test.module}:${step.test.name}|${leaf.module}:${leaf.name}`;
  n.keyIndex ??= new Map();
  let idx = n.keyIndex.get(idxKey);
  if (idx === undefined) {
    idx = new Map();
    for (const entry of childrenNamed(n, step.test.module, step.test.name)) {
      for (const k of childrenNamed(entry, leaf.module, leaf.name)) {
        const s = stringValue(k);
        const list = idx.get(s);
        if (list === undefined) idx.set(s, [entry]);
        else if (list[list.length - 1] !== entry) list.push(entry);
      }
    }
    n.keyIndex.set(idxKey, idx);
  }
  let hits: DataNode[];
  if (typeof want === 'string') hits = idx.get(want) ?? [];
  else {
    hits = [];
    for (const w of want) for (const h of idx.get(stringValue(w)) ?? []) if (!hits.includes(h)) hits.push(h);
  }
  return applyPredicates(hits, step.preds.slice(1), cx);
}

function childLeafName(e: XPathExpr): { module: string; name: string } | undefined {
  if (e.t !== 'path' || e.abs || e.from !== undefined || e.steps.length !== 1) return undefined;
  const s = e.steps[0]!;
  return s.axis === 'child' && s.test.k === 'name' && s.preds.length === 0 ? s.test : undefined;
}

/** True when `e` depends neither on the context node nor on position. */
export function contextFree(e: XPathExpr): boolean {
  switch (e.t) {
    case 'num':
    case 'str':
    case 'var':
      return true;
    case 'neg':
      return contextFree(e.e);
    case 'bin':
      return contextFree(e.l) && contextFree(e.r);
    case 'filter':
      return contextFree(e.e);
    case 'fn':
      return (
        e.name === 'current' ||
        (e.args.length > 0 && e.name !== 'last' && e.name !== 'position' && e.args.every(contextFree))
      );
    case 'path':
      return e.from !== undefined ? contextFree(e.from) : e.abs;
  }
}
