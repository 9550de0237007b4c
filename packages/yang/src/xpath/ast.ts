// XPath 1.0 syntax tree (plain data, part of the compiled schema). Names are
// resolved to module names at compile time, so evaluation needs no prefixes.

export type Axis =
  | 'child'
  | 'descendant'
  | 'descendant-or-self'
  | 'parent'
  | 'ancestor'
  | 'ancestor-or-self'
  | 'self'
  | 'following-sibling'
  | 'preceding-sibling'
  | 'following'
  | 'preceding'
  | 'attribute'
  | 'namespace';

export type NodeTest =
  | { readonly k: 'name'; readonly module: string; readonly name: string }
  | { readonly k: 'any'; readonly module?: string }
  | { readonly k: 'node' }
  | { readonly k: 'text' };

export interface Step {
  readonly axis: Axis;
  readonly test: NodeTest;
  readonly preds: readonly XPathExpr[];
}

export type BinaryOp = 'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | 'div' | 'mod' | '|';

export type XPathExpr =
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'bin'; readonly op: BinaryOp; readonly l: XPathExpr; readonly r: XPathExpr }
  | { readonly t: 'neg'; readonly e: XPathExpr }
  | { readonly t: 'fn'; readonly name: string; readonly args: readonly XPathExpr[]; readonly module: string }
  | { readonly t: 'var'; readonly name: string }
  /** A location path, optionally starting from a filter expression (`current()/..`, `deref(.)/x`). */
  | { readonly t: 'path'; readonly abs: boolean; readonly from?: XPathExpr; readonly steps: readonly Step[] }
  | { readonly t: 'filter'; readonly e: XPathExpr; readonly preds: readonly XPathExpr[] };

/** A function call in an expression (`current()`, `derived-from(., 'x:y')`). */
export type FunctionCall = Extract<XPathExpr, { t: 'fn' }>;
