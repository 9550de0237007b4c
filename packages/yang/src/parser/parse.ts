import { YangError, YangErrorCode } from '../errors.ts';
import type { Statement } from './statement.ts';

const IDENTIFIER = /^(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$/;

/**
 * Parses YANG 1 / 1.1 text into statements (RFC 7950 §6). Errors name the
 * file, line and column. Grammar (which statement may hold which) is checked
 * by the compiler, not here.
 */
export function parseYang(text: string, file = '<input>'): Statement {
  const parser = new Parser(text, file);
  parser.skipSpace();
  const top = parser.statement();
  parser.skipSpace();
  if (parser.position < text.length)
    parser.fail('Cannot parse module: text after the closing "}" of the module statement');
  if (top.keyword !== 'module' && top.keyword !== 'submodule') {
    throw new YangError(YangErrorCode.Grammar, `Expected "module" or "submodule" at the top, got "${top.keyword}"`, {
      location: { file, line: top.line, column: top.column },
    });
  }
  return top;
}

class Parser {
  position = 0;
  line = 1;
  lineStart = 0;
  readonly text: string;
  readonly file: string;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  fail(message: string): never {
    throw new YangError(YangErrorCode.Syntax, message, {
      location: { file: this.file, line: this.line, column: this.position - this.lineStart + 1 },
    });
  }

  advance(count = 1): void {
    for (let i = 0; i < count; i++) {
      if (this.text.charCodeAt(this.position) === 10) {
        this.line++;
        this.lineStart = this.position + 1;
      }
      this.position++;
    }
  }

  /** Skips whitespace and comments (RFC 7950 §6.1.1). */
  skipSpace(): void {
    const text = this.text;
    while (this.position < text.length) {
      const character = text[this.position]!;
      if (character === ' ' || character === '\t' || character === '\n' || character === '\r') this.advance();
      else if (character === '/' && text[this.position + 1] === '/') {
        while (this.position < text.length && text[this.position] !== '\n') this.position++;
      } else if (character === '/' && text[this.position + 1] === '*') {
        const end = text.indexOf('*/', this.position + 2);
        if (end < 0) this.fail('Unterminated comment: "/*" without "*/"');
        this.advance(end + 2 - this.position);
      } else break;
    }
  }

  statement(): Statement {
    const line = this.line;
    const column = this.position - this.lineStart + 1;
    const keyword = this.unquoted();
    if (keyword === '') this.fail(`Expected a statement keyword, got "${this.text[this.position] ?? 'end of file'}"`);
    if (!IDENTIFIER.test(keyword)) this.fail(`Invalid statement keyword "${keyword}"`);
    this.skipSpace();
    let arg: string | undefined;
    const next = this.text[this.position];
    if (next !== ';' && next !== '{') {
      if (next === undefined) this.fail(`Unexpected end of file after "${keyword}"`);
      arg = this.argument();
      this.skipSpace();
    }
    const subs: Statement[] = [];
    const end = this.text[this.position];
    if (end === ';') this.advance();
    else if (end === '{') {
      this.advance();
      for (;;) {
        this.skipSpace();
        if (this.position >= this.text.length) this.fail(`Missing "}" closing "${keyword}" opened at line ${line}`);
        if (this.text[this.position] === '}') break;
        subs.push(this.statement());
      }
      this.advance();
    } else this.fail(`Expected ";" or "{" after the argument of "${keyword}", got "${end ?? 'end of file'}"`);
    return { keyword, arg, file: this.file, line, column, subs };
  }

  /** An unquoted token: up to whitespace, quote, ";", "{", "}" or a comment (§6.1.3). */
  unquoted(): string {
    const text = this.text;
    const start = this.position;
    while (this.position < text.length) {
      const character = text[this.position]!;
      if (
        character === ' ' ||
        character === '\t' ||
        character === '\n' ||
        character === '\r' ||
        character === ';' ||
        character === '{' ||
        character === '}' ||
        character === '"' ||
        character === "'"
      )
        break;
      if (character === '/' && (text[this.position + 1] === '/' || text[this.position + 1] === '*')) break;
      this.position++;
    }
    return text.slice(start, this.position);
  }

  /** An argument: unquoted, or quoted strings joined by "+" (§6.1.3.1). */
  argument(): string {
    const first = this.text[this.position];
    if (first !== '"' && first !== "'") {
      const token = this.unquoted();
      if (token === '') this.fail(`Expected an argument, got "${first}"`);
      return token;
    }
    let value = this.quoted();
    for (;;) {
      const save = { position: this.position, line: this.line, lineStart: this.lineStart };
      this.skipSpace();
      if (this.text[this.position] !== '+') {
        Object.assign(this, save);
        return value;
      }
      this.advance();
      this.skipSpace();
      const quote = this.text[this.position];
      if (quote !== '"' && quote !== "'")
        this.fail('Expected a quoted string after "+" (only quoted strings concatenate)');
      value += this.quoted();
    }
  }

  quoted(): string {
    const quote = this.text[this.position]!;
    const quoteColumn = this.position - this.lineStart;
    const opened = { position: this.position, line: this.line, lineStart: this.lineStart };
    this.advance();
    const start = this.position;
    const text = this.text;
    while (this.position < text.length && text[this.position] !== quote) {
      if (quote === '"' && text[this.position] === '\\') this.advance();
      this.advance();
    }
    if (this.position >= text.length) {
      Object.assign(this, opened);
      this.fail(`Unterminated ${quote === '"' ? 'double' : 'single'}-quoted string`);
    }
    const raw = text.slice(start, this.position);
    this.advance();
    return quote === "'" ? raw : this.doubleQuoted(raw, quoteColumn);
  }

  /** §6.1.3: strip indentation up to the quote's column and trailing blanks, then unescape. */
  doubleQuoted(raw: string, quoteColumn: number): string {
    const lines = raw.split('\n');
    const out: string[] = [];
    for (let index = 0; index < lines.length; index++) {
      let line = lines[index]!;
      if (index > 0) {
        let column = 0;
        let stripped = 0;
        while (stripped < line.length && column <= quoteColumn && (line[stripped] === ' ' || line[stripped] === '\t')) {
          const width = line[stripped] === '\t' ? 8 : 1;
          if (column + width > quoteColumn + 1) {
            // a tab crossing the quote column leaves the excess as spaces
            line = ' '.repeat(column + width - quoteColumn - 1) + line.slice(stripped + 1);
            stripped = 0;
            column = quoteColumn + 1;
            break;
          }
          column += width;
          stripped++;
        }
        line = line.slice(stripped);
      }
      if (index < lines.length - 1) line = line.replace(/[ \t\r]+$/, '');
      out.push(line);
    }
    return out.join('\n').replace(/\\(.)/gs, (sequence, character: string) => {
      if (character === 'n') return '\n';
      if (character === 't') return '\t';
      if (character === '"' || character === '\\') return character;
      return sequence; // YANG 1 keeps unknown escapes; the compiler rejects them for 1.1
    });
  }
}
