import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSqlDriver } from '../testing/sql-driver-suite.ts';
import { openSqlite } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetkit-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSqlDriver('sqlite (file, WAL)', () => openSqlite({ path: join(dir, 'contract.db') }));
describeSqlDriver('sqlite (:memory:)', () => openSqlite({ path: ':memory:' }));

describe('sqlite adapter', () => {
  it('opens the file in WAL mode with the durability asked for', async () => {
    const full = openSqlite({ path: join(dir, 'full.db') });
    expect(await full.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await full.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    await full.close();
    const normal = openSqlite({ path: join(dir, 'normal.db'), synchronous: 'normal' });
    expect(await normal.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    await normal.close();
  });

  it('sees data written by another connection to the same file', async () => {
    const path = join(dir, 'shared.db');
    const a = openSqlite({ path });
    await a.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
    await a.run('INSERT INTO kv VALUES ($1, $2)', ['x', '1']);
    const b = openSqlite({ path });
    expect(await b.query('SELECT v FROM kv WHERE k = $1', ['x'])).toEqual([{ v: '1' }]);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps an exclusive file to itself until it closes', async () => {
    const path = join(dir, 'exclusive.db');
    const owner = openSqlite({ path, exclusive: true });
    await owner.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
    await owner.run('INSERT INTO kv VALUES ($1, $2)', ['x', '1']);
    expect(await owner.query('PRAGMA locking_mode')).toEqual([{ locking_mode: 'exclusive' }]);
    expect(() => openSqlite({ path, busyTimeoutMs: 50 })).toThrow(
      expect.objectContaining({ code: 'sql-failed', message: expect.stringMatching(/locked/) }),
    );
    await owner.close();
    const next = openSqlite({ path, busyTimeoutMs: 50 });
    expect(await next.query('SELECT v FROM kv WHERE k = $1', ['x'])).toEqual([{ v: '1' }]);
    await next.close();
  });

  it('rejects calls after close', async () => {
    const db = openSqlite({ path: ':memory:' });
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'sql-closed' });
  });
});
