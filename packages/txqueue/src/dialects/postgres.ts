import { nextId } from '../_internal/counters.ts';
import type { Dialect } from './dialect.ts';
import { claimPostgresEvents, POSTGRES_INSERT_EVENT } from './postgres/events.ts';
import { postgresFastPaths } from './postgres/fast-paths.ts';
import { insertPostgresSubTransactions } from './postgres/ids.ts';
import { postgresNotifier } from './postgres/notify.ts';
import { ensurePostgresFinishedIndex, ensurePostgresSchema } from './postgres/schema.ts';
import { timeOutDuePostgres } from './postgres/sweep.ts';

/**
 * PostgreSQL: several processes share the store and write at once, so rows
 * are locked (and passed over when another writer holds them), ids come
 * from per-target counter rows, the common steps run as one statement each
 * (fast-paths.ts), and engines wake each other through LISTEN/NOTIFY
 * (notify.ts).
 */
export const postgresDialect: Dialect = {
  forUpdate: ' FOR UPDATE',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  jsonStrings: (parameter) => `jsonb_array_elements_text(${parameter}::jsonb) AS j(value)`,
  jsonPairs: (parameter) =>
    `SELECT p->>0 AS target, (p->>1)::bigint AS id FROM jsonb_array_elements(${parameter}::jsonb) AS j(p)`,
  ensureSchema: ensurePostgresSchema,
  ensureFinishedIndex: ensurePostgresFinishedIndex,
  // engines share the store: a claim another process holds ends only with its lease
  opened: async () => {},
  nextTransactionId: nextId,
  insertSubTransactions: insertPostgresSubTransactions,
  insertEventSql: POSTGRES_INSERT_EVENT,
  claimEvents: claimPostgresEvents,
  timeOutDue: timeOutDuePostgres,
  fastPaths: postgresFastPaths,
  notifier: postgresNotifier,
};
