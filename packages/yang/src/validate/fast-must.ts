import { JSON_NUMBER_TYPES } from '../types/limits.ts';
import type { XPathExpr } from '../xpath/ast.ts';
import type { DataNode } from '../xpath/data-node.ts';
import { compareScalars, convert } from '../xpath/values.ts';
import type { RuntimeNode } from './runtime-node.ts';

/**
 * A `must` compiled to direct reads: true when the condition holds for the
 * context node `ctx` (a leaf may have no node: the walk checks some early,
 * then only its parent and value are known).
 */
export type FastCondition = (
  context: DataNode | undefined,
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
  expr: XPathExpr,
  node: RuntimeNode,
  ancestors: readonly RuntimeNode[],
): CompiledMust | undefined {
  const reach: Reach = { up: 0, self: false };
  const test = compileCondition(expr, node, ancestors, reach);
  return test === undefined ? undefined : { test, reach: reach.up, self: reach.self };
}

function compileCondition(
  expr: XPathExpr,
  node: RuntimeNode,
  ancestors: readonly RuntimeNode[],
  reach: Reach,
): FastCondition | undefined {
  if (expr.t === 'bin' && (expr.op === 'or' || expr.op === 'and')) {
    const left = compileCondition(expr.l, node, ancestors, reach);
    const right = compileCondition(expr.r, node, ancestors, reach);
    if (left === undefined || right === undefined) return undefined;
    return expr.op === 'or'
      ? (context, parent, value, config) =>
          left(context, parent, value, config) || right(context, parent, value, config)
      : (context, parent, value, config) =>
          left(context, parent, value, config) && right(context, parent, value, config);
  }
  if (expr.t === 'fn' && expr.name === 'not' && expr.args.length === 1) {
    const operand = compileCondition(expr.args[0]!, node, ancestors, reach);
    return operand === undefined
      ? undefined
      : (context, parent, value, config) => !operand(context, parent, value, config);
  }
  if (
    expr.t === 'bin' &&
    (expr.op === '=' || expr.op === '!=' || expr.op === '<' || expr.op === '<=' || expr.op === '>' || expr.op === '>=')
  ) {
    const operator = expr.op;
    const rightLiteral = literal(expr.r);
    const leftPath = rightLiteral === undefined ? undefined : leafPath(expr.l, node, ancestors);
    // §3.4: a node-set compared with a string or number is true when some node's value is
    // an integer leaf's JSON number is its value as XPath reads it (number(string(.))), without the string
    if (leftPath !== undefined && rightLiteral !== undefined)
      return someValue(
        leftPath,
        reach,
        (text) => compareScalars(operator, convert(text, rightLiteral), rightLiteral),
        typeof rightLiteral === 'number' && integer(leftPath)
          ? (number) => compareScalars(operator, number, rightLiteral)
          : undefined,
      );
    const leftLiteral = literal(expr.l);
    const rightPath = leftLiteral === undefined ? undefined : leafPath(expr.r, node, ancestors);
    if (rightPath !== undefined && leftLiteral !== undefined)
      return someValue(
        rightPath,
        reach,
        (text) => compareScalars(operator, leftLiteral, convert(text, leftLiteral)),
        typeof leftLiteral === 'number' && integer(rightPath)
          ? (number) => compareScalars(operator, leftLiteral, number)
          : undefined,
      );
    return undefined;
  }
  const leaf = leafPath(expr, node, ancestors);
  return leaf === undefined ? undefined : someValue(leaf, reach, () => true);
}

/** A leaf RFC 7951 §6.1 encodes as a JSON number. */
function integer(path: LeafPath): boolean {
  const base = path.target?.schema.type?.base;
  return base !== undefined && JSON_NUMBER_TYPES.has(base);
}

function literal(expr: XPathExpr): Scalar | undefined {
  return expr.t === 'str' || expr.t === 'num' ? expr.v : undefined;
}

/** `..`* then one child name step, or `.`; optionally after `current()`. Resolved against the schema. */
function leafPath(expr: XPathExpr, node: RuntimeNode, ancestors: readonly RuntimeNode[]): LeafPath | undefined {
  if (expr.t !== 'path' || expr.abs) return undefined;
  if (expr.from !== undefined && !(expr.from.t === 'fn' && expr.from.name === 'current' && expr.from.args.length === 0))
    return undefined;
  const steps = expr.steps;
  let up = 0;
  while (
    up < steps.length &&
    steps[up]!.axis === 'parent' &&
    steps[up]!.test.k === 'node' &&
    steps[up]!.preds.length === 0
  )
    up++;
  const rest = steps.slice(up);
  if (up > ancestors.length) return undefined;
  const base = up === 0 ? node : ancestors[ancestors.length - up]!;
  if (rest.length === 0)
    return up === 0 && (node.schema.kind === 'leaf' || node.schema.kind === 'leaf-list')
      ? { up: 0, target: undefined }
      : undefined;
  if (
    rest.length === 1 &&
    up === 0 &&
    expr.from === undefined &&
    rest[0]!.axis === 'self' &&
    rest[0]!.test.k === 'node' &&
    rest[0]!.preds.length === 0
  ) {
    return node.schema.kind === 'leaf' || node.schema.kind === 'leaf-list' ? { up: 0, target: undefined } : undefined;
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
  path: LeafPath,
  reach: Reach,
  test: (value: string) => boolean,
  testNumber?: (value: number) => boolean,
): FastCondition {
  const { up, target } = path;
  reach.up = Math.max(reach.up, up);
  // the context leaf itself (leafPath gives no target only for it)
  if (target === undefined) {
    reach.self = true;
    return (_context, _parent, value) => value !== undefined && test(value);
  }
  return (context, parent, _value, config) => {
    let holder: DataNode | undefined = up === 0 ? context : parent;
    for (let i = 1; i < up && holder !== undefined; i++) holder = holder.parent;
    if (holder === undefined) return false;
    if (holder.lazy === undefined || !target.lazyLeaf) {
      const built = holder.children;
      for (let i = 0; i < built.length; i++) {
        const child = built[i]!;
        if (child.schema === target.schema && child.value !== undefined && test(child.value)) return true;
      }
      return false;
    }
    // the node was not completed: the leaf is where the walk left it, in the JSON (validate/lazy.ts)
    if (config && !target.schema.config) return false;
    const object = holder.source as Record<string, unknown>;
    const names = target.jsonNames;
    for (let i = 0; i < names.length; i++) {
      const value = object[names[i]!];
      if (value === undefined) continue;
      if (testNumber !== undefined && typeof value === 'number') {
        if (typeof target.check!(value, false) === 'string' && testNumber(value)) return true;
        continue;
      }
      const canonical = target.check!(value, true);
      if (typeof canonical === 'string' && test(canonical)) return true;
    }
    // defaults the walk added are built nodes
    if (target.schema.defaults !== undefined)
      for (const child of holder.children) if (child.schema === target.schema && test(child.value!)) return true;
    return false;
  };
}
