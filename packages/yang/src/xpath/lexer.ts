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
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const character = source[position]!;
    if (character === ' ' || character === '\t' || character === '\n' || character === '\r') {
      position++;
      continue;
    }
    if (character === '"' || character === "'") {
      const end = source.indexOf(character, position + 1);
      if (end < 0)
        throw new YangError(
          YangErrorCode.XPath,
          `Unterminated string literal at offset ${position} in XPath "${source}"`,
        );
      out.push({ kind: 'str', value: source.slice(position + 1, end), offset: position });
      position = end + 1;
      continue;
    }
    NUM.lastIndex = position;
    const numberMatch = NUM.exec(source);
    if (numberMatch !== null && !(character === '.' && source[position + 1] === '.')) {
      out.push({ kind: 'num', value: Number(numberMatch[0]), offset: position });
      position += numberMatch[0].length;
      continue;
    }
    NAME.lastIndex = position;
    const name = NAME.exec(source);
    if (name !== null) {
      const previous = out[out.length - 1];
      const text = name[0];
      const operatorContext =
        previous !== undefined &&
        !(previous.kind === 'op' && ['@', '::', '(', '[', ','].includes(previous.value)) &&
        !(previous.kind === 'op' && isOperator(previous.value));
      out.push({ kind: operatorContext && OPERATOR_NAMES.has(text) ? 'op' : 'name', value: text, offset: position });
      position += text.length;
      continue;
    }
    const operator = OPS.find((candidate) => source.startsWith(candidate, position));
    if (operator === undefined)
      throw new YangError(
        YangErrorCode.XPath,
        `Unexpected character "${character}" at offset ${position} in XPath "${source}"`,
      );
    const previous = out[out.length - 1];
    if (operator === '*') {
      const multiply =
        previous !== undefined &&
        !(
          previous.kind === 'op' &&
          (['@', '::', '(', '[', ','].includes(previous.value) || isOperator(previous.value))
        );
      out.push(
        multiply ? { kind: 'op', value: '*', offset: position } : { kind: 'name', value: '*', offset: position },
      );
    } else out.push({ kind: 'op', value: operator, offset: position });
    position += operator.length;
  }
  return out;
}

function isOperator(text: string): boolean {
  return ['and', 'or', 'div', 'mod', '/', '//', '|', '+', '-', '=', '!=', '<', '<=', '>', '>=', '*'].includes(text);
}
