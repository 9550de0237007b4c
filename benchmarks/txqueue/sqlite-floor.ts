// The raw SQLite floors the engine is measured against (reference/peers.md
// §6 measured them with better-sqlite3; node:sqlite is the binding fleetkit
// uses): one durable single-statement commit per step of a cycle.
import { DatabaseSync } from 'node:sqlite';

function open(path: string, synchronous: 'full' | 'normal'): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'};`);
  db.exec('CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, payload TEXT, created_at INTEGER, updated_at INTEGER)');
  db.exec('CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id)');
  return db;
}

/**
 * Cycles per second of INSERT (enqueue), UPDATE (deliver) and UPDATE
 * (complete), each its own autocommitted statement: three durable writes,
 * the least any cycle with durable steps can cost.
 */
export function sqliteFloor(path: string, synchronous: 'full' | 'normal', ms: number): number {
  const db = open(path, synchronous);
  const insert = db.prepare("INSERT INTO jobs (state, payload, created_at, updated_at) VALUES ('queued', ?, ?, ?)");
  const deliver = db.prepare("UPDATE jobs SET state = 'delivered', updated_at = ? WHERE id = ?");
  const complete = db.prepare("UPDATE jobs SET state = 'complete', updated_at = ? WHERE id = ?");
  const payload = JSON.stringify({ op: 'beep', duration: 500 });
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    const now = Date.now();
    const id = insert.run(payload, now, now).lastInsertRowid;
    deliver.run(now, id);
    complete.run(now, id);
    n++;
  }
  const rate = (n * 1000) / (performance.now() - start);
  db.close();
  return rate;
}

/** Rows per second of `count` single-row INSERTs in one committed transaction (synchronous=FULL). */
export function sqliteBulkFloor(path: string, count: number): number {
  const db = open(path, 'full');
  const insert = db.prepare("INSERT INTO jobs (state, payload, created_at, updated_at) VALUES ('queued', ?, ?, ?)");
  const start = performance.now();
  db.exec('BEGIN');
  for (let i = 0; i < count; i++) insert.run(`member-${i}`, i, i);
  db.exec('COMMIT');
  const rate = (count * 1000) / (performance.now() - start);
  db.close();
  return rate;
}
