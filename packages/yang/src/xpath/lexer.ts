import { YangError, YangErrorCode } from '../errors.ts';

export type Token =
  | { readonly k: 'num'; readonly v: number; readonly at: number }
  | { readonly k: 'str'; readonly v: string; readonly at: number }
  | { readonly k: 'name'; readonly v: string; readonly at: number }
  | { readonly k: 'op'; readonly v: string; readonly at: number };

const NAME = /[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*/y;
const NUM = /\d+(?:\.\d*)?|\.\d+/y;
const OPS = [
  '//',
  '::',
  '..',
  '!=',
  '<=',
  '>=',
  '/',
  '(',
  ')',
  '[',
  ']',
  '.',
  '@',
  ',',
  '|',
  '+',
  '-',
  '=',
  '<',
  '>',
  '*',
  '$',
  ':',
];
const OPERATOR_NAMES = new Set(['and', 'or', 'div', 'mod']);

/** XPath 1.0 lexer (§3.7): `*` and operator names are disambiguated by the preceding token. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0)
        throw new YangError(YangErrorCode.XPath, `Unterminated string literal at offset ${i} in XPath "${src}"`);
      out.push({ k: 'str', v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    NUM.lastIndex = i;
    const num = NUM.exec(src);
    if (num !== null && !(c === '.' && src[i + 1] === '.')) {
      out.push({ k: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (name !== null) {
      const prev = out[out.length - 1];
      const v = name[0];
      const operatorContext =
        prev !== undefined &&
        !(prev.k === 'op' && ['@', '::', '(', '[', ','].includes(prev.v)) &&
        !(prev.k === 'op' && isOperator(prev.v));
      out.push({ k: operatorContext && OPERATOR_NAMES.has(v) ? 'op' : 'name', v, at: i });
      i += v.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined)
      throw new YangError(YangErrorCode.XPath, `Unexpected character "${c}" at offset ${i} in XPath "${src}"`);
    const prev = out[out.length - 1];
    if (op === '*') {
      const multiply =
        prev !== undefined && !(prev.k === 'op' && (['@', '::', '(', '[', ','].includes(prev.v) || isOperator(prev.v)));
      out.push(multiply ? { k: 'op', v: '*', at: i } : { k: 'name', v: '*', at: i });
    } else out.push({ k: 'op', v: op, at: i });
    i += op.length;
  }
  return out;
}

function isOperator(v: string): boolean {
  return ['and', 'or', 'div', 'mod', '/', '//', '|', '+', '-', '=', '!=', '<', '<=', '>', '>=', '*'].includes(v);
}
