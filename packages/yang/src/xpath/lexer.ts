import { YangError, YangErrorCode } from '../errors.ts';

export type Token =
  | { readonly kind: 'num'; readonly value: number; readonly offset: number }
  | { readonly kind: 'str'; readonly value: string; readonly offset: number }
  | { readonly kind: 'name'; readonly value: string; readonly offset: number }
  | { readonly kind: 'op'; readonly value: string; readonly offset: number };

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
      out.push({ kind: 'str', value: src.slice(i + 1, end), offset: i });
      i = end + 1;
      continue;
    }
    NUM.lastIndex = i;
    const num = NUM.exec(src);
    if (num !== null && !(c === '.' && src[i + 1] === '.')) {
      out.push({ kind: 'num', value: Number(num[0]), offset: i });
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
        !(prev.kind === 'op' && ['@', '::', '(', '[', ','].includes(prev.value)) &&
        !(prev.kind === 'op' && isOperator(prev.value));
      out.push({ kind: operatorContext && OPERATOR_NAMES.has(v) ? 'op' : 'name', value: v, offset: i });
      i += v.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined)
      throw new YangError(YangErrorCode.XPath, `Unexpected character "${c}" at offset ${i} in XPath "${src}"`);
    const prev = out[out.length - 1];
    if (op === '*') {
      const multiply =
        prev !== undefined &&
        !(prev.kind === 'op' && (['@', '::', '(', '[', ','].includes(prev.value) || isOperator(prev.value)));
      out.push(multiply ? { kind: 'op', value: '*', offset: i } : { kind: 'name', value: '*', offset: i });
    } else out.push({ kind: 'op', value: op, offset: i });
    i += op.length;
  }
  return out;
}

function isOperator(v: string): boolean {
  return ['and', 'or', 'div', 'mod', '/', '//', '|', '+', '-', '=', '!=', '<', '<=', '>', '>=', '*'].includes(v);
}
