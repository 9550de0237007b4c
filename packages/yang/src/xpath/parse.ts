import { YangError, YangErrorCode } from '../errors.ts';
import type { Axis, BinaryOp, NodeTest, Step, XPathExpr } from './ast.ts';
import { type Token, tokenize } from './lexer.ts';

/** How names in an expression map to modules: the prefix table of the defining module. */
export interface XPathNames {
  /** Module of unprefixed names (the namespace of the node the expression is on, RFC 7950 §6.4.1). */
  readonly defaultModule: string;
  /** Module name for a prefix, or undefined when the prefix is not imported. */
  prefix(prefix: string): string | undefined;
}

const AXES = new Set<Axis>([
  'child',
  'descendant',
  'descendant-or-self',
  'parent',
  'ancestor',
  'ancestor-or-self',
  'self',
  'following-sibling',
  'preceding-sibling',
  'following',
  'preceding',
  'attribute',
  'namespace',
]);
const FUNCTIONS: Record<string, [number, number]> = {
  last: [0, 0],
  position: [0, 0],
  count: [1, 1],
  id: [1, 1],
  'local-name': [0, 1],
  'namespace-uri': [0, 1],
  name: [0, 1],
  string: [0, 1],
  concat: [2, Infinity],
  'starts-with': [2, 2],
  contains: [2, 2],
  'substring-before': [2, 2],
  'substring-after': [2, 2],
  substring: [2, 3],
  'string-length': [0, 1],
  'normalize-space': [0, 1],
  translate: [3, 3],
  boolean: [1, 1],
  not: [1, 1],
  true: [0, 0],
  false: [0, 0],
  lang: [1, 1],
  number: [0, 1],
  sum: [1, 1],
  floor: [1, 1],
  ceiling: [1, 1],
  round: [1, 1],
  // RFC 7950 §10
  current: [0, 0],
  deref: [1, 1],
  'derived-from': [2, 2],
  'derived-from-or-self': [2, 2],
  're-match': [2, 2],
  'enum-value': [1, 1],
  'bit-is-set': [2, 2],
};
const LEVELS: BinaryOp[][] = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']];

/** Parses an XPath 1.0 expression with the YANG function library, resolving prefixes. */
export function parseXPath(source: string, names: XPathNames): XPathExpr {
  const parser = new XPathParser(source, tokenize(source), names);
  const expr = parser.expr(0);
  if (parser.position < parser.tokens.length) parser.fail(`unexpected "${parser.tokens[parser.position]!.value}"`);
  return expr;
}

class XPathParser {
  position = 0;
  readonly source: string;
  readonly tokens: Token[];
  readonly names: XPathNames;

  constructor(source: string, tokens: Token[], names: XPathNames) {
    this.source = source;
    this.tokens = tokens;
    this.names = names;
  }

  fail(message: string): never {
    const offset = this.tokens[this.position]?.offset ?? this.source.length;
    throw new YangError(YangErrorCode.XPath, `Invalid XPath "${this.source}" at offset ${offset}: ${message}`);
  }

  peek(value: string, kind: Token['kind'] = 'op'): boolean {
    const token = this.tokens[this.position];
    return token !== undefined && token.kind === kind && token.value === value;
  }

  eat(value: string): void {
    if (!this.peek(value)) this.fail(`expected "${value}"`);
    this.position++;
  }

  expr(level: number): XPathExpr {
    if (level === LEVELS.length) return this.unary();
    let left = this.expr(level + 1);
    for (;;) {
      const token = this.tokens[this.position];
      if (token?.kind !== 'op' || !(LEVELS[level] as string[]).includes(token.value)) return left;
      this.position++;
      const right = this.expr(level + 1);
      left =
        token.value === '=' || token.value === '!='
          ? { t: 'bin', op: token.value, l: this.qualify(left, right), r: this.qualify(right, left) }
          : { t: 'bin', op: token.value as BinaryOp, l: left, r: right };
    }
  }

  unary(): XPathExpr {
    if (this.peek('-')) {
      this.position++;
      return { t: 'neg', e: this.unary() };
    }
    let left = this.pathExpr();
    while (this.peek('|')) {
      this.position++;
      left = { t: 'bin', op: '|', l: left, r: this.pathExpr() };
    }
    return left;
  }

  pathExpr(): XPathExpr {
    const token = this.tokens[this.position];
    if (token === undefined) this.fail('unexpected end of expression');
    const next = this.tokens[this.position + 1];
    const isFunction =
      token.kind === 'name' &&
      next?.kind === 'op' &&
      next.value === '(' &&
      !['node', 'text', 'comment', 'processing-instruction'].includes(token.value);
    if (
      token.kind === 'num' ||
      token.kind === 'str' ||
      isFunction ||
      (token.kind === 'op' && (token.value === '(' || token.value === '$'))
    ) {
      let expr = this.primary();
      const predicates = this.predicates();
      if (predicates.length > 0) expr = { t: 'filter', e: expr, preds: predicates };
      if (this.peek('/') || this.peek('//')) return { t: 'path', abs: false, from: expr, steps: this.relative(true) };
      return expr;
    }
    if (this.peek('/')) {
      this.position++;
      const following = this.tokens[this.position];
      const startsStep =
        following !== undefined &&
        (following.kind === 'name' || (following.kind === 'op' && ['.', '..', '@'].includes(following.value)));
      return { t: 'path', abs: true, steps: startsStep ? this.relative(false) : [] };
    }
    if (this.peek('//')) return { t: 'path', abs: true, steps: this.relative(true) };
    return { t: 'path', abs: false, steps: this.relative(false) };
  }

  primary(): XPathExpr {
    const token = this.tokens[this.position++]!;
    if (token.kind === 'num') return { t: 'num', v: token.value };
    if (token.kind === 'str') return { t: 'str', v: token.value };
    if (token.kind === 'op' && token.value === '(') {
      const expr = this.expr(0);
      this.eat(')');
      return expr;
    }
    if (token.kind === 'op' && token.value === '$') {
      const variable = this.tokens[this.position++];
      if (variable?.kind !== 'name') this.fail('expected a variable name');
      return { t: 'var', name: variable.value };
    }
    const name = token.value;
    const arity = FUNCTIONS[name];
    if (arity === undefined) this.fail(`unknown function "${name}()"`);
    this.eat('(');
    const args: XPathExpr[] = [];
    if (!this.peek(')')) {
      args.push(this.expr(0));
      while (this.peek(',')) {
        this.position++;
        args.push(this.expr(0));
      }
    }
    this.eat(')');
    if (args.length < arity[0] || args.length > arity[1])
      this.fail(
        `${name}() takes ${arity[0]}${arity[1] === arity[0] ? '' : `..${arity[1]}`} arguments, got ${args.length}`,
      );
    return { t: 'fn', name, args: this.identityArg(name, args), module: this.names.defaultModule };
  }

  /**
   * `. = 'pfx:identity'`: identityref values are `module:identity` here, so a
   * literal written with a module prefix is compared in that form (as libyang does).
   */
  qualify(literal: XPathExpr, other: XPathExpr): XPathExpr {
    if (literal.t !== 'str' || other.t === 'str' || other.t === 'num') return literal;
    const match = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/.exec(literal.v);
    const module = match === null ? undefined : this.names.prefix(match[1]!);
    return module === undefined ? literal : { t: 'str', v: `${module}:${match![2]}` };
  }

  /** derived-from(…, 'pfx:id'): resolve the literal's prefix now, with the module's imports. */
  identityArg(name: string, args: XPathExpr[]): XPathExpr[] {
    const literal = args[1];
    if ((name !== 'derived-from' && name !== 'derived-from-or-self') || literal?.t !== 'str') return args;
    const colon = literal.v.indexOf(':');
    const module = colon < 0 ? this.names.defaultModule : this.names.prefix(literal.v.slice(0, colon).trim());
    if (module === undefined) this.fail(`unknown prefix in identity "${literal.v}"`);
    return [args[0]!, { t: 'str', v: `${module}:${literal.v.slice(colon + 1).trim()}` }];
  }

  predicates(): XPathExpr[] {
    const predicates: XPathExpr[] = [];
    while (this.peek('[')) {
      this.position++;
      predicates.push(this.expr(0));
      this.eat(']');
    }
    return predicates;
  }

  /** RelativeLocationPath; `leadingSlash` means a "/" or "//" comes first. */
  relative(leadingSlash: boolean): Step[] {
    const steps: Step[] = [];
    let first = !leadingSlash;
    for (;;) {
      if (!first) {
        if (this.peek('//')) {
          this.position++;
          steps.push({ axis: 'descendant-or-self', test: { k: 'node' }, preds: [] });
        } else if (this.peek('/')) this.position++;
        else return steps;
      }
      first = false;
      steps.push(this.step());
    }
  }

  step(): Step {
    if (this.peek('.')) {
      this.position++;
      return { axis: 'self', test: { k: 'node' }, preds: [] };
    }
    if (this.peek('..')) {
      this.position++;
      return { axis: 'parent', test: { k: 'node' }, preds: [] };
    }
    let axis: Axis = 'child';
    if (this.peek('@')) {
      this.position++;
      axis = 'attribute';
    } else {
      const token = this.tokens[this.position];
      if (token?.kind === 'name' && this.tokens[this.position + 1]?.value === '::') {
        if (!AXES.has(token.value as Axis)) this.fail(`unknown axis "${token.value}"`);
        axis = token.value as Axis;
        this.position += 2;
      }
    }
    return { axis, test: this.nodeTest(), preds: this.predicates() };
  }

  nodeTest(): NodeTest {
    const token = this.tokens[this.position++];
    if (token?.kind !== 'name') this.fail('expected a node test');
    if (token.value === '*') return { k: 'any' };
    if ((token.value === 'node' || token.value === 'text') && this.peek('(')) {
      this.position++;
      this.eat(')');
      return { k: token.value };
    }
    if (this.peek(':')) {
      this.position++;
      const local = this.tokens[this.position++];
      if (local?.kind !== 'name') this.fail(`expected a name after "${token.value}:"`);
      const module = this.names.prefix(token.value);
      if (module === undefined) this.fail(`prefix "${token.value}" is not the module's own prefix nor an imported one`);
      return local.value === '*' ? { k: 'any', module } : { k: 'name', module, name: local.value };
    }
    return { k: 'name', module: this.names.defaultModule, name: token.value };
  }
}
