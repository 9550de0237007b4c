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
export function parseXPath(src: string, names: XPathNames): XPathExpr {
  const p = new XPathParser(src, tokenize(src), names);
  const e = p.expr(0);
  if (p.position < p.tokens.length) p.fail(`unexpected "${p.tokens[p.position]!.value}"`);
  return e;
}

class XPathParser {
  position = 0;
  readonly source: string;
  readonly tokens: Token[];
  readonly names: XPathNames;

  constructor(src: string, toks: Token[], names: XPathNames) {
    this.source = src;
    this.tokens = toks;
    this.names = names;
  }

  fail(msg: string): never {
    const at = this.tokens[this.position]?.offset ?? this.source.length;
    throw new YangError(YangErrorCode.XPath, `Invalid XPath "${this.source}" at offset ${at}: ${msg}`);
  }

  peek(v: string, k: Token['kind'] = 'op'): boolean {
    const t = this.tokens[this.position];
    return t !== undefined && t.kind === k && t.value === v;
  }

  eat(v: string): void {
    if (!this.peek(v)) this.fail(`expected "${v}"`);
    this.position++;
  }

  expr(level: number): XPathExpr {
    if (level === LEVELS.length) return this.unary();
    let l = this.expr(level + 1);
    for (;;) {
      const t = this.tokens[this.position];
      if (t?.kind !== 'op' || !(LEVELS[level] as string[]).includes(t.value)) return l;
      this.position++;
      const r = this.expr(level + 1);
      l =
        t.value === '=' || t.value === '!='
          ? { t: 'bin', op: t.value, l: this.qualify(l, r), r: this.qualify(r, l) }
          : { t: 'bin', op: t.value as BinaryOp, l, r };
    }
  }

  unary(): XPathExpr {
    if (this.peek('-')) {
      this.position++;
      return { t: 'neg', e: this.unary() };
    }
    let l = this.pathExpr();
    while (this.peek('|')) {
      this.position++;
      l = { t: 'bin', op: '|', l, r: this.pathExpr() };
    }
    return l;
  }

  pathExpr(): XPathExpr {
    const t = this.tokens[this.position];
    if (t === undefined) this.fail('unexpected end of expression');
    const next = this.tokens[this.position + 1];
    const isFunction =
      t.kind === 'name' &&
      next?.kind === 'op' &&
      next.value === '(' &&
      !['node', 'text', 'comment', 'processing-instruction'].includes(t.value);
    if (
      t.kind === 'num' ||
      t.kind === 'str' ||
      isFunction ||
      (t.kind === 'op' && (t.value === '(' || t.value === '$'))
    ) {
      let e = this.primary();
      const preds = this.predicates();
      if (preds.length > 0) e = { t: 'filter', e, preds };
      if (this.peek('/') || this.peek('//')) return { t: 'path', abs: false, from: e, steps: this.relative(true) };
      return e;
    }
    if (this.peek('/')) {
      this.position++;
      const n = this.tokens[this.position];
      const startsStep =
        n !== undefined && (n.kind === 'name' || (n.kind === 'op' && ['.', '..', '@'].includes(n.value)));
      return { t: 'path', abs: true, steps: startsStep ? this.relative(false) : [] };
    }
    if (this.peek('//')) return { t: 'path', abs: true, steps: this.relative(true) };
    return { t: 'path', abs: false, steps: this.relative(false) };
  }

  primary(): XPathExpr {
    const t = this.tokens[this.position++]!;
    if (t.kind === 'num') return { t: 'num', v: t.value };
    if (t.kind === 'str') return { t: 'str', v: t.value };
    if (t.kind === 'op' && t.value === '(') {
      const e = this.expr(0);
      this.eat(')');
      return e;
    }
    if (t.kind === 'op' && t.value === '$') {
      const n = this.tokens[this.position++];
      if (n?.kind !== 'name') this.fail('expected a variable name');
      return { t: 'var', name: n.value };
    }
    const name = t.value;
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
  qualify(lit: XPathExpr, other: XPathExpr): XPathExpr {
    if (lit.t !== 'str' || other.t === 'str' || other.t === 'num') return lit;
    const m = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/.exec(lit.v);
    const module = m === null ? undefined : this.names.prefix(m[1]!);
    return module === undefined ? lit : { t: 'str', v: `${module}:${m![2]}` };
  }

  /** derived-from(…, 'pfx:id'): resolve the literal's prefix now, with the module's imports. */
  identityArg(name: string, args: XPathExpr[]): XPathExpr[] {
    const lit = args[1];
    if ((name !== 'derived-from' && name !== 'derived-from-or-self') || lit?.t !== 'str') return args;
    const colon = lit.v.indexOf(':');
    const module = colon < 0 ? this.names.defaultModule : this.names.prefix(lit.v.slice(0, colon).trim());
    if (module === undefined) this.fail(`unknown prefix in identity "${lit.v}"`);
    return [args[0]!, { t: 'str', v: `${module}:${lit.v.slice(colon + 1).trim()}` }];
  }

  predicates(): XPathExpr[] {
    const preds: XPathExpr[] = [];
    while (this.peek('[')) {
      this.position++;
      preds.push(this.expr(0));
      this.eat(']');
    }
    return preds;
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
      const t = this.tokens[this.position];
      if (t?.kind === 'name' && this.tokens[this.position + 1]?.value === '::') {
        if (!AXES.has(t.value as Axis)) this.fail(`unknown axis "${t.value}"`);
        axis = t.value as Axis;
        this.position += 2;
      }
    }
    return { axis, test: this.nodeTest(), preds: this.predicates() };
  }

  nodeTest(): NodeTest {
    const t = this.tokens[this.position++];
    if (t?.kind !== 'name') this.fail('expected a node test');
    if (t.value === '*') return { k: 'any' };
    if ((t.value === 'node' || t.value === 'text') && this.peek('(')) {
      this.position++;
      this.eat(')');
      return { k: t.value };
    }
    if (this.peek(':')) {
      this.position++;
      const n = this.tokens[this.position++];
      if (n?.kind !== 'name') this.fail(`expected a name after "${t.value}:"`);
      const module = this.names.prefix(t.value);
      if (module === undefined) this.fail(`prefix "${t.value}" is not the module's own prefix nor an imported one`);
      return n.value === '*' ? { k: 'any', module } : { k: 'name', module, name: n.value };
    }
    return { k: 'name', module: this.names.defaultModule, name: t.value };
  }
}
