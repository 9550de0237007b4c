// A database of each test's own on the test PostgreSQL server, so tests and
// files never share rows.
import { openPostgres } from '@fleetkit/core/postgres';

/** A database made by {@link createDatabase}. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A database of its own on the test PostgreSQL server; `drop()` removes it (closing what is still connected). */
export async function createDatabase(serverUrl: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = openPostgres({ connectionString: serverUrl, max: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
