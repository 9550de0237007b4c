import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYang } from './parse.ts';

// Printable text without the characters that need escaping or change layout.
const plain = fc.string({
  unit: fc.constantFrom(...'abcxyz019 -_.:/()[]{};+*<>=!?#%&|~^@$,é€'.split('')),
  maxLength: 30,
});
const escapeText = (s: string): string =>
  s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
const wrap = (arg: string): string => `module m {\n  namespace "urn:m";\n  prefix m;\n  description ${arg};\n}\n`;

describe('parseYang (properties)', () => {
  it('reads back any double-quoted string with escapes, unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((s) => !s.includes('\r')),
        (s) => {
          // no raw line breaks: the escaped form keeps the argument on one line
          expect(parseYang(wrap(`"${escapeText(s)}"`)).subs[2]!.arg).toBe(s);
        },
      ),
    );
  });

  it('reads back single-quoted strings literally', () => {
    fc.assert(
      fc.property(plain, (s) => {
        expect(parseYang(wrap(`'${s}'`)).subs[2]!.arg).toBe(s);
      }),
    );
  });

  it('gives the same argument however a string is split with "+"', () => {
    fc.assert(
      fc.property(plain, fc.array(fc.nat(), { maxLength: 4 }), (s, cuts) => {
        const points = [...new Set(cuts.map((c) => (s.length === 0 ? 0 : c % (s.length + 1))))].sort((a, b) => a - b);
        const parts: string[] = [];
        let from = 0;
        for (const p of points) {
          parts.push(s.slice(from, p));
          from = p;
        }
        parts.push(s.slice(from));
        const arg = parts.map((p, i) => (i % 2 === 0 ? `"${escapeText(p)}"` : `'${p}'`)).join(' +\n    ');
        expect(parseYang(wrap(arg)).subs[2]!.arg).toBe(s);
      }),
    );
  });

  it('reports the line of a statement wherever blank lines and comments put it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('', '// c', '/* c */', '/* a\n b */'), { maxLength: 6 }), (filler) => {
        const before = filler.join('\n');
        const text = `module m {\n  namespace "urn:m";\n  prefix m;\n${before}\n  leaf x { type string; }\n}\n`;
        const leaf = parseYang(text).subs[2]!;
        expect(leaf.line).toBe(4 + before.split('\n').length);
      }),
    );
  });
});
