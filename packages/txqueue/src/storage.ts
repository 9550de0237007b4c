import type { SqlDriver } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';

/**
 * The memory store: SQLite in memory through core's SQL port, so it runs the
 * very statements the durable stores run (docs/decisions/txqueue-001-storage.md).
 * Nothing survives the process; use `openSqlite({ path })` for that.
 */
export function memoryStorage(): SqlDriver {
  return openSqlite({ path: ':memory:' });
}
