import { JSON_NUMBER_TYPES } from '../types/limits.ts';
import type { XPathExpr } from '../xpath/ast.ts';
import type { DataNode } from '../xpath/data-node.ts';
import { compareScalars, convert } from '../xpath/values.ts';
import type { RuntimeNode } from './runtime.ts';

/**
 * A `must` compiled to direct reads: true when the condition holds for the
 * context node `ctx` (a leaf may have no node: the walk checks some early,
 * then only its parent and value are known).
 */
export type FastCondition = (
  ctx: DataNode | undefined,
  parent: DataNode | undefined,
  value: string | undefined,
  config: boolean,
) => boolean;

/** A compiled condition and how many parent steps it takes at most (1: it reads only the context's siblings). */
export interface CompiledMust {
  readonly test: FastCondition;
  readonly reach: number;
  /** It reads the context leaf's own value (`.`): only then does it need the value's canonical string. */
  readonly self: boolean;
}

/**
 * A leaf the expression names relative to the context node: `up` parent
 * steps, then the child leaf `target` (or the context leaf itself).
 */
interface LeafPath {
  readonly up: number;
  readonly target: RuntimeNode | undefined;
}

type Scalar = string | number;

/** What a condition reads, gathered while compiling it. */
interface Reach {
  up: number;
  self: boolean;
}

/**
 * Compiles the common `must` shapes at prepare time: comparisons of a
 * sibling or own leaf (`../port`, `.`, `current()/../x`) with a literal,
 * combined with `and`, `or`, `not()`. The leaf is resolved in the schema
 * here, so evaluation allocates nothing and reads a plain leaf straight from
 * the JSON when its parent was not completed (validate/lazy.ts). Any other
 * shape returns undefined and stays with the generic evaluator, whose XPath
 * 1.0 semantics these closures reproduce (tested side by side).
 */
export function compileMust(
  e: XPathExpr,
  at: RuntimeNode,
  ancestors: readonly RuntimeNode[],
): CompiledMust | undefined {
  const reach: Reach = { up: 0, self: false };
  const test = compileCondition(e, at, ancestors, reach);
  return test === undefined ? undefined : { test, reach: reach.up, self: reach.self };
}

function compileCondition(
  e: XPathExpr,
  at: RuntimeNode,
  anc: readonly RuntimeNode[],
  reach: Reach,
): FastCondition | undefined {
  if (e.t === 'bin' && (e.op === 'or' || e.op === 'and')) {
    const l = compileCondition(e.l, at, anc, reach);
    const r = compileCondition(e.r, at, anc, reach);
    if (l === undefined || r === undefined) return undefined;
    return e.op === 'or'
      ? (n, p, v, c) => l(n, p, v, c) || r(n, p, v, c)
      : (n, p, v, c) => l(n, p, v, c) && r(n, p, v, c);
  }
  if (e.t === 'fn' && e.name === 'not' && e.args.length === 1) {
    const x = compileCondition(e.args[0]!, at, anc, reach);
    return x === undefined ? undefined : (n, p, v, c) => !x(n, p, v, c);
  }
  if (
    e.t === 'bin' &&
    (e.op === '=' || e.op === '!=' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=')
  ) {
    const op = e.op;
    const litR = literal(e.r);
    const pl = litR === undefined ? undefined : leafPath(e.l, at, anc);
    // §3.4: a node-set compared with a string or number is true when some node's value is
    // an integer leaf's JSON number is its value as XPath reads it (number(string(.))), without the string
    if (pl !== undefined && litR !== undefined)
      return someValue(
        pl,
        reach,
        (s) => compareScalars(op, convert(s, litR), litR),
        typeof litR === 'number' && integer(pl) ? (x) => compareScalars(op, x, litR) : undefined,
      );
    const litL = literal(e.l);
    const pr = litL === undefined ? undefined : leafPath(e.r, at, anc);
    if (pr !== undefined && litL !== undefined)
      return someValue(
        pr,
        reach,
        (s) => compareScalars(op, litL, convert(s, litL)),
        typeof litL === 'number' && integer(pr) ? (x) => compareScalars(op, litL, x) : undefined,
      );
    return undefined;
  }
  const p = leafPath(e, at, anc);
  return p === undefined ? undefined : someValue(p, reach, () => true);
}

/** A leaf RFC 7951 §6.1 encodes as a JSON number. */
function integer(p: LeafPath): boolean {
  const base = p.target?.schema.type?.base;
  return base !== undefined && JSON_NUMBER_TYPES.has(base);
}

function literal(e: XPathExpr): Scalar | undefined {
  return e.t === 'str' || e.t === 'num' ? e.v : undefined;
}

/** `..`* then one child name step, or `.`; optionally after `current()`. Resolved against the schema. */
function leafPath(e: XPathExpr, at: RuntimeNode, anc: readonly RuntimeNode[]): LeafPath | undefined {
  if (e.t !== 'path' || e.abs) return undefined;
  if (e.from !== undefined && !(e.from.t === 'fn' && e.from.name === 'current' && e.from.args.length === 0))
    return undefined;
  const steps = e.steps;
  let up = 0;
  while (
    up < steps.length &&
    steps[up]!.axis === 'parent' &&
    steps[up]!.test.k === 'node' &&
    steps[up]!.preds.length === 0
  )
    up++;
  const rest = steps.slice(up);
  if (up > anc.length) return undefined;
  const base = up === 0 ? at : anc[anc.length - up]!;
  if (rest.length === 0)
    return up === 0 && (at.schema.kind === 'leaf' || at.schema.kind === 'leaf-list')
      ? { up: 0, target: undefined }
      : undefined;
  if (
    rest.length === 1 &&
    up === 0 &&
    e.from === undefined &&
    rest[0]!.axis === 'self' &&
    rest[0]!.test.k === 'node' &&
    rest[0]!.preds.length === 0
  ) {
    return at.schema.kind === 'leaf' || at.schema.kind === 'leaf-list' ? { up: 0, target: undefined } : undefined;
  }
  const step = rest[0]!;
  if (rest.length !== 1 || step.axis !== 'child' || step.test.k !== 'name' || step.preds.length > 0) return undefined;
  const target = base.members.get(`${step.test.module}:${step.test.name}`);
  if (target === undefined || target.schema.kind !== 'leaf' || target.schema.module !== step.test.module)
    return undefined;
  return { up, target };
}

/** True when some node the path selects has a value passing `test` (an empty set passes nothing). */
function someValue(
  p: LeafPath,
  reach: Reach,
  test: (value: string) => boolean,
  testNumber?: (value: number) => boolean,
): FastCondition {
  const { up, target } = p;
  reach.up = Math.max(reach.up, up);
  // the context leaf itself (leafPath gives no target only for it)
  if (target === undefined) {
    reach.self = true;
    return (_ctx, _parent, value) => value !== undefined && test(value);
  }
  return (ctx, parent, _value, config) => {
    let a: DataNode | undefined = up === 0 ? ctx : parent;
    for (let i = 1; i < up && a !== undefined; i++) a = a.parent;
    if (a === undefined) return false;
    if (a.lazy === undefined || !target.lazyLeaf) {
      const built = a.children;
      for (let i = 0; i < built.length; i++) {
        const c = built[i]!;
        if (c.schema === target.schema && c.value !== undefined && test(c.value)) return true;
      }
      return false;
    }
    // the node was not completed: the leaf is where the walk left it, in the JSON (validate/lazy.ts)
    if (config && !target.schema.config) return false;
    const obj = a.source as Record<string, unknown>;
    const names = target.jsonNames;
    for (let i = 0; i < names.length; i++) {
      const v = obj[names[i]!];
      if (v === undefined) continue;
      if (testNumber !== undefined && typeof v === 'number') {
        if (typeof target.check!(v, false) === 'string' && testNumber(v)) return true;
        continue;
      }
      const c = target.check!(v, true);
      if (typeof c === 'string' && test(c)) return true;
    }
    // defaults the walk added are built nodes
    if (target.schema.defaults !== undefined)
      for (const c of a.children) if (c.schema === target.schema && test(c.value!)) return true;
    return false;
  };
}
