import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapPlaceholders } from './driver.ts';

const toSqlite = (sql: string): string => mapPlaceholders(sql, (n) => `?${n}`);

describe('mapPlaceholders', () => {
  it('maps $n to the target form', () => {
    expect(toSqlite('SELECT * FROM t WHERE a = $1 AND b = $12')).toBe('SELECT * FROM t WHERE a = ?1 AND b = ?12');
  });

  it('leaves quoted strings, quoted identifiers, comments and dollar words alone', () => {
    expect(toSqlite(`SELECT '$1', 'it''s $2', "$3" FROM x$1 -- $4\nWHERE y = $5`)).toBe(
      `SELECT '$1', 'it''s $2', "$3" FROM x$1 -- $4\nWHERE y = ?5`,
    );
  });

  it('is the identity on text without placeholders', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('$')),
        (s) => toSqlite(s) === s,
      ),
    );
  });
});
