import type { SqlDriver } from '@fleetkit/core';
import type { Dialect } from './dialect.ts';
import { postgresDialect } from './postgres.ts';
import { sqliteDialect } from './sqlite.ts';

/** The dialect of a driver: the one place the engine looks at which database it runs on. */
export function dialectOf(storage: SqlDriver): Dialect {
  return storage.dialect === 'postgres' ? postgresDialect : sqliteDialect;
}
