// The raw SQLite floors the engine is measured against (docs/sources.md, Performance baselines
// §6 measured them with better-sqlite3; node:sqlite is the binding fleetkit
// uses): one durable single-statement commit per step of a cycle.
import { DatabaseSync, type StatementSync } from 'node:sqlite';

function open(path: string, synchronous: 'full' | 'normal'): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'};`);
  db.exec(
    'CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, payload TEXT, created_at INTEGER, updated_at INTEGER)',
  );
  db.exec('CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id)');
  return db;
}

interface Floor {
  readonly db: DatabaseSync;
  readonly insert: StatementSync;
  readonly deliver: StatementSync;
  readonly complete: StatementSync;
}
const floors = new Map<string, Floor>();
const payload = JSON.stringify({ op: 'beep', duration: 500 });

/**
 * One cycle of INSERT (enqueue), UPDATE (deliver) and UPDATE (complete),
 * each its own autocommitted statement: three durable writes, the least any
 * cycle with durable steps can cost. Synchronous, as a tight C loop is.
 */
export function sqliteFloorCycle(path: string, synchronous: 'full' | 'normal'): void {
  let f = floors.get(path);
  if (!f) {
    const db = open(path, synchronous);
    f = {
      db,
      insert: db.prepare("INSERT INTO jobs (state, payload, created_at, updated_at) VALUES ('queued', ?, ?, ?)"),
      deliver: db.prepare("UPDATE jobs SET state = 'delivered', updated_at = ? WHERE id = ?"),
      complete: db.prepare("UPDATE jobs SET state = 'complete', updated_at = ? WHERE id = ?"),
    };
    floors.set(path, f);
  }
  const now = Date.now();
  const id = f.insert.run(payload, now, now).lastInsertRowid;
  f.deliver.run(now, id);
  f.complete.run(now, id);
}

/** Closes the floor databases. */
export function closeFloors(): void {
  for (const f of floors.values()) f.db.close();
  floors.clear();
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
