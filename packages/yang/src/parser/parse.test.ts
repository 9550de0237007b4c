import { describe, expect, it } from 'vitest';
import { YangError } from '../errors.ts';
import { parseYang } from './parse.ts';

const mod = (body: string): string => `module m {\n  namespace "urn:m";\n  prefix m;\n${body}\n}\n`;

describe('parseYang', () => {
  it('records keyword, argument, line and column of each statement', () => {
    const top = parseYang(mod('  leaf x { type string; }'), 'm.yang');
    const leaf = top.subs[2]!;
    expect([leaf.keyword, leaf.arg, leaf.file, leaf.line, leaf.column]).toEqual(['leaf', 'x', 'm.yang', 4, 3]);
    expect(leaf.subs[0]).toMatchObject({ keyword: 'type', arg: 'string', line: 4, column: 12 });
  });

  it('strips the indentation of continuation lines up to the opening quote column (RFC 7950 §6.1.3)', () => {
    const top = parseYang(mod('  description "first\n               second   \n    third";'));
    expect(top.subs[2]!.arg).toBe('first\nsecond\nthird');
  });

  it('applies the double-quote escapes and keeps single-quoted text literally', () => {
    const top = parseYang(mod(`  description "a\\tb\\n\\"c\\" \\\\";\n  reference 'x\\ny';`));
    expect(top.subs[2]!.arg).toBe('a\tb\n"c" \\');
    expect(top.subs[3]!.arg).toBe('x\\ny');
  });

  it('concatenates quoted strings joined by "+"', () => {
    const top = parseYang(mod(`  description "ab" +\n    'cd' + "ef";`));
    expect(top.subs[2]!.arg).toBe('abcdef');
  });

  it('skips line and block comments', () => {
    const top = parseYang(mod('  // a comment\n  /* block\n comment */ leaf x { type int8; } // tail'));
    expect(top.subs.map((s) => s.keyword)).toEqual(['namespace', 'prefix', 'leaf']);
  });

  it('keeps prefixed extension keywords', () => {
    const top = parseYang(mod('  ext:thing "v";'));
    expect(top.subs[2]).toMatchObject({ keyword: 'ext:thing', arg: 'v' });
  });

  it('fails with file, line and column on an unterminated string', () => {
    const err = (() => {
      try {
        parseYang(mod('  description "never closed;\n'), 'bad.yang');
      } catch (e) {
        return e as YangError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(YangError);
    expect(err.code).toBe('yang-syntax');
    expect(err.location).toEqual({ file: 'bad.yang', line: 4, column: 15 });
    expect(err.message).toMatch(/^bad\.yang:4:15: Unterminated double-quoted string/);
  });

  it('fails on a missing closing brace, naming where the block opened', () => {
    expect(() => parseYang('module m {\n  container c {\n', 'x.yang')).toThrow(
      /Missing "}" closing "container" opened at line 2/,
    );
  });

  it('rejects "+" followed by an unquoted string', () => {
    expect(() => parseYang(mod('  description "a" + b;'))).toThrow(/only quoted strings concatenate/);
  });

  it('rejects text that is not a module or submodule', () => {
    expect(() => parseYang('container c { }')).toThrow(/Expected "module" or "submodule"/);
  });
});
