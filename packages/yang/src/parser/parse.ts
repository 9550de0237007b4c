import { YangError, YangErrorCode } from '../errors.ts';
import type { Statement } from './statement.ts';

const IDENTIFIER = /^(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$/;

/**
 * Parses YANG 1 / 1.1 text into statements (RFC 7950 §6). Errors name the
 * file, line and column. Grammar (which statement may hold which) is checked
 * by the compiler, not here.
 */
export function parseYang(text: string, file = '<input>'): Statement {
  const p = new Parser(text, file);
  p.skipSpace();
  const top = p.statement();
  p.skipSpace();
  if (p.position < text.length) p.fail('Cannot parse module: text after the closing "}" of the module statement');
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

  advance(n = 1): void {
    for (let i = 0; i < n; i++) {
      if (this.text.charCodeAt(this.position) === 10) {
        this.line++;
        this.lineStart = this.position + 1;
      }
      this.position++;
    }
  }

  /** Skips whitespace and comments (RFC 7950 §6.1.1). */
  skipSpace(): void {
    const t = this.text;
    while (this.position < t.length) {
      const c = t[this.position]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.advance();
      else if (c === '/' && t[this.position + 1] === '/') {
        while (this.position < t.length && t[this.position] !== '\n') this.position++;
      } else if (c === '/' && t[this.position + 1] === '*') {
        const end = t.indexOf('*/', this.position + 2);
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
    const c = this.text[this.position];
    if (c !== ';' && c !== '{') {
      if (c === undefined) this.fail(`Unexpected end of file after "${keyword}"`);
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
    const t = this.text;
    const start = this.position;
    while (this.position < t.length) {
      const c = t[this.position]!;
      if (
        c === ' ' ||
        c === '\t' ||
        c === '\n' ||
        c === '\r' ||
        c === ';' ||
        c === '{' ||
        c === '}' ||
        c === '"' ||
        c === "'"
      )
        break;
      if (c === '/' && (t[this.position + 1] === '/' || t[this.position + 1] === '*')) break;
      this.position++;
    }
    return t.slice(start, this.position);
  }

  /** An argument: unquoted, or quoted strings joined by "+" (§6.1.3.1). */
  argument(): string {
    const c = this.text[this.position];
    if (c !== '"' && c !== "'") {
      const s = this.unquoted();
      if (s === '') this.fail(`Expected an argument, got "${c}"`);
      return s;
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
      const q = this.text[this.position];
      if (q !== '"' && q !== "'") this.fail('Expected a quoted string after "+" (only quoted strings concatenate)');
      value += this.quoted();
    }
  }

  quoted(): string {
    const quote = this.text[this.position]!;
    const quoteColumn = this.position - this.lineStart;
    const opened = { position: this.position, line: this.line, lineStart: this.lineStart };
    this.advance();
    const start = this.position;
    const t = this.text;
    while (this.position < t.length && t[this.position] !== quote) {
      if (quote === '"' && t[this.position] === '\\') this.advance();
      this.advance();
    }
    if (this.position >= t.length) {
      Object.assign(this, opened);
      this.fail(`Unterminated ${quote === '"' ? 'double' : 'single'}-quoted string`);
    }
    const raw = t.slice(start, this.position);
    this.advance();
    return quote === "'" ? raw : this.doubleQuoted(raw, quoteColumn);
  }

  /** §6.1.3: strip indentation up to the quote's column and trailing blanks, then unescape. */
  doubleQuoted(raw: string, quoteColumn: number): string {
    const lines = raw.split('\n');
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      let s = lines[i]!;
      if (i > 0) {
        let col = 0;
        let j = 0;
        while (j < s.length && col <= quoteColumn && (s[j] === ' ' || s[j] === '\t')) {
          const width = s[j] === '\t' ? 8 : 1;
          if (col + width > quoteColumn + 1) {
            // a tab crossing the quote column leaves the excess as spaces
            s = ' '.repeat(col + width - quoteColumn - 1) + s.slice(j + 1);
            j = 0;
            col = quoteColumn + 1;
            break;
          }
          col += width;
          j++;
        }
        s = s.slice(j);
      }
      if (i < lines.length - 1) s = s.replace(/[ \t\r]+$/, '');
      out.push(s);
    }
    return out.join('\n').replace(/\\(.)/gs, (m, c: string) => {
      if (c === 'n') return '\n';
      if (c === 't') return '\t';
      if (c === '"' || c === '\\') return c;
      return m; // YANG 1 keeps unknown escapes; the compiler rejects them for 1.1
    });
  }
}
