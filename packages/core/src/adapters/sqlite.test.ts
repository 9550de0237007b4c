import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { CoreError, CoreErrorCode } from '../errors.ts';
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
      expect.objectContaining({ code: 'sql-busy', message: expect.stringMatching(/locked/) }),
    );
    await owner.close();
    const next = openSqlite({ path, busyTimeoutMs: 50 });
    expect(await next.query('SELECT v FROM kv WHERE k = $1', ['x'])).toEqual([{ v: '1' }]);
    await next.close();
  });

  it('reports a transaction that cannot take the write lock as a retryable sql-busy CoreError', async () => {
    const path = join(dir, 'busy.db');
    const holder = openSqlite({ path });
    const waiter = openSqlite({ path, busyTimeoutMs: 0 });
    await holder.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = (): void => {};
    const holding = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const held = holder.transaction(async (tx) => {
      await tx.run('INSERT INTO kv VALUES ($1, $2)', ['held', '1']);
      locked();
      await released;
    });
    await holding;
    const begin = await waiter
      .transaction((tx) => tx.run('INSERT INTO kv VALUES ($1, $2)', ['x', '1']))
      .catch((e) => e);
    expect(begin).toBeInstanceOf(CoreError);
    expect(begin).toMatchObject({ code: CoreErrorCode.SqlBusy, details: { sql: 'BEGIN IMMEDIATE' } });
    // a statement outside a transaction meets the same lock
    const single = await waiter.run('INSERT INTO kv VALUES ($1, $2)', ['y', '1']).catch((e) => e);
    expect(single).toMatchObject({ code: CoreErrorCode.SqlBusy });
    release();
    await held;
    // retried once the lock is free, the same transaction succeeds
    await waiter.transaction((tx) => tx.run('INSERT INTO kv VALUES ($1, $2)', ['x', '1']));
    expect(await waiter.query('SELECT k FROM kv ORDER BY k')).toEqual([{ k: 'held' }, { k: 'x' }]);
    await Promise.all([holder.close(), waiter.close()]);
  });

  it('reports a failed COMMIT as a CoreError and rolls the transaction back', async () => {
    const db = openSqlite({ path: ':memory:' });
    await db.exec(
      'CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    // a deferred foreign key is checked at COMMIT, so the COMMIT itself fails
    const error = await db.transaction((tx) => tx.run('INSERT INTO child VALUES ($1)', [5])).catch((e) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: CoreErrorCode.SqlFailed, details: { sql: 'COMMIT' } });
    expect(await db.query('SELECT parent FROM child')).toEqual([]);
    await db.transaction((tx) => tx.run('INSERT INTO parent VALUES ($1)', [5]));
    expect(await db.query('SELECT id FROM parent')).toEqual([{ id: 5 }]);
    await db.close();
  });

  it('prepares BEGIN IMMEDIATE, COMMIT and ROLLBACK once per connection, not per transaction', async () => {
    // counts the real connection's calls: db.exec parses its SQL on every call
    const proto = DatabaseSync.prototype as unknown as Record<'exec' | 'prepare', (...args: unknown[]) => unknown>;
    const { exec, prepare } = proto;
    const execs: string[] = [];
    const prepares: string[] = [];
    proto.exec = function (this: DatabaseSync, ...args: unknown[]) {
      execs.push(String(args[0]));
      return exec.apply(this, args);
    };
    proto.prepare = function (this: DatabaseSync, ...args: unknown[]) {
      prepares.push(String(args[0]));
      return prepare.apply(this, args);
    };
    try {
      const db = openSqlite({ path: join(dir, 'prepared.db'), synchronous: 'normal' });
      await db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
      execs.length = 0;
      prepares.length = 0;
      for (const k of ['a', 'b', 'c']) {
        await db.transaction((tx) => tx.run('INSERT INTO kv VALUES ($1, $2)', [k, '1']));
        const failed = await db
          .transaction(async (tx) => {
            await tx.run('INSERT INTO kv VALUES ($1, $2)', [`${k}-rolled-back`, '1']);
            throw new Error('rolls back');
          })
          .catch((e: Error) => e.message);
        expect(failed).toBe('rolls back');
      }
      expect(execs).toEqual([]);
      // the INSERT once, into the statement cache
      expect(prepares).toEqual(['INSERT INTO kv VALUES (?1, ?2)']);
      expect(await db.query('SELECT k FROM kv ORDER BY k')).toEqual([{ k: 'a' }, { k: 'b' }, { k: 'c' }]);
      await db.close();
    } finally {
      proto.exec = exec;
      proto.prepare = prepare;
    }
  });

  it('rejects calls after close', async () => {
    const db = openSqlite({ path: ':memory:' });
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'sql-closed' });
  });
});
