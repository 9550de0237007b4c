import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import type { StoreHandle } from '../src/testing/engine-suite.ts';

let n = 0;

/** A fresh database on the test server per call, dropped on dispose. */
export async function freshPostgres(url: string): Promise<StoreHandle & { readonly url: string }> {
  const name = `txq_${process.pid}_${n++}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = openPostgres({ connectionString: url, max: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const drivers: PostgresDriver[] = [];
  const open = (): PostgresDriver => {
    const d = openPostgres({ connectionString: dbUrl.href });
    drivers.push(d);
    return d;
  };
  return {
    url: dbUrl.href,
    driver: open(),
    reopen: async () => open(),
    async dispose() {
      for (const d of drivers) await d.close();
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
