import { YangError, YangErrorCode } from '../errors.ts';

// XML Schema Part 2 Appendix F multi-character escapes, as `u`-mode classes.
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD:';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const MULTI: Record<string, [string, boolean]> = {
  s: [' \\t\\n\\r', false],
  S: [' \\t\\n\\r', true],
  i: [NAME_START, false],
  I: [NAME_START, true],
  c: [NAME_CHAR, false],
  C: [NAME_CHAR, true],
  d: ['\\p{Nd}', false],
  D: ['\\p{Nd}', true],
  w: ['\\p{P}\\p{Z}\\p{C}', true],
  W: ['\\p{P}\\p{Z}\\p{C}', false],
};
// The Unicode blocks YANG modules use in practice (XSD `\p{IsX}`).
const BLOCKS: Record<string, string> = {
  BasicLatin: '\\u0000-\\u007F',
  'Latin-1Supplement': '\\u0080-\\u00FF',
  LatinExtended_A: '\\u0100-\\u017F',
  'LatinExtended-A': '\\u0100-\\u017F',
  'LatinExtended-B': '\\u0180-\\u024F',
  GreekandCoptic: '\\u0370-\\u03FF',
  Cyrillic: '\\u0400-\\u04FF',
};
const SINGLE = new Set(['n', 'r', 't', '\\', '|', '.', '-', '^', '?', '*', '+', '{', '}', '(', ')', '[', ']']);

/**
 * Translates an XSD regular expression (RFC 7950 §9.4.5) to an anchored
 * JavaScript source for `new RegExp(source, 'u')`. XSD has no anchors, so `^`
 * and `$` are literals; `.` excludes only CR and LF; `\i`, `\c`, blocks and
 * class subtraction are expanded.
 */
export function xsdToJs(xsd: string): string {
  const translator = new Translator(xsd);
  const body = translator.branch(false);
  if (translator.position < xsd.length) translator.fail(`unbalanced ")"`);
  const source = `^(?:${body})$`;
  try {
    new RegExp(source, 'u');
  } catch (cause) {
    throw new YangError(YangErrorCode.InvalidType, `Invalid pattern "${xsd}": ${(cause as Error).message}`, { cause });
  }
  return source;
}

class Translator {
  position = 0;
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  fail(message: string): never {
    throw new YangError(
      YangErrorCode.InvalidType,
      `Invalid pattern "${this.source}" at offset ${this.position}: ${message}`,
    );
  }

  branch(inGroup: boolean): string {
    let out = '';
    while (this.position < this.source.length) {
      const character = this.source[this.position]!;
      if (character === ')') {
        if (!inGroup) this.fail('unbalanced ")"');
        return out;
      }
      this.position++;
      if (character === '(') {
        out += `(?:${this.branch(true)})`;
        if (this.source[this.position] !== ')') this.fail('missing ")"');
        this.position++;
      } else if (character === '[') out += this.charClass();
      else if (character === '\\') out += this.escape(false);
      else if (character === '.') out += '[^\\n\\r]';
      else if (character === '^' || character === '$') out += `\\${character}`;
      else if (character === '{') {
        const match = /^(\d+)(,(\d*))?\}/.exec(this.source.slice(this.position));
        if (match === null) this.fail('invalid quantifier');
        out += `{${match[0]}`;
        this.position += match[0].length;
      } else if (character === '}' || character === ']') out += `\\${character}`;
      else out += character;
    }
    return out;
  }

  /** One escape after "\\"; inside a class, multi-char escapes yield class contents. */
  escape(inClass: boolean): string {
    const character = this.source[this.position++];
    if (character === undefined) this.fail('trailing "\\"');
    const multi = MULTI[character];
    if (multi !== undefined) {
      const [set, negated] = multi;
      if (inClass) {
        if (negated) this.fail(`"\\${character}" inside a character class is not supported`);
        return set;
      }
      return negated ? `[^${set}]` : `[${set}]`;
    }
    if (character === 'p' || character === 'P') {
      const match = /^\{([\w-]+)\}/.exec(this.source.slice(this.position));
      if (match === null) this.fail('invalid "\\p{…}"');
      this.position += match[0].length;
      const name = match[1]!;
      let set: string;
      if (name.startsWith('Is')) {
        const block = BLOCKS[name.slice(2)];
        if (block === undefined) this.fail(`unsupported Unicode block "${name}"`);
        set = block;
      } else set = `\\p{${name}}`;
      if (inClass) {
        if (character === 'P') this.fail('"\\P{…}" inside a character class is not supported');
        return set;
      }
      return character === 'P' ? `[^${set}]` : set.startsWith('\\p') ? set : `[${set}]`;
    }
    if (SINGLE.has(character)) return character === '-' && !inClass ? '-' : `\\${character}`;
    return this.fail(`unknown escape "\\${character}"`);
  }

  /** `[…]`, `[^…]` and XSD subtraction `[a-z-[aeiou]]` (as a lookahead). */
  charClass(): string {
    let negate = false;
    if (this.source[this.position] === '^') {
      negate = true;
      this.position++;
    }
    let body = '';
    let subtract: string | undefined;
    let first = true;
    for (;;) {
      const character = this.source[this.position];
      if (character === undefined) this.fail('missing "]"');
      if (character === ']' && !first) {
        this.position++;
        break;
      }
      first = false;
      if (character === '-' && this.source[this.position + 1] === '[') {
        this.position += 2;
        subtract = this.charClass();
        if (this.source[this.position] !== ']') this.fail('subtraction must end the class');
        this.position++;
        break;
      }
      this.position++;
      if (character === '\\') body += this.escape(true);
      else if (character === '[') this.fail('"[" must be escaped inside a character class');
      else if (character === '^' || character === '/') body += `\\${character}`;
      else body += character;
    }
    const bracket = `[${negate ? '^' : ''}${body}]`;
    return subtract === undefined ? bracket : `(?:(?!${subtract})${bracket})`;
  }
}
