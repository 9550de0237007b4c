import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SUITES } from '../suites/index.ts';
import { failures, unexpectedSkips } from './expected-skips.ts';
import { type OurServer, startOurServer } from './our-server.ts';
import { FULL_RUN_MS, runAgainst } from './run-against.ts';

describeWithPostgres('fleetkit-conformance against fleetkit-server on PostgreSQL', (url) => {
  const database = `conformance_${Math.random().toString(36).slice(2, 10)}`;
  let admin: PostgresDriver;
  let server: OurServer;

  beforeAll(async () => {
    admin = openPostgres({ connectionString: url });
    await admin.exec(`CREATE DATABASE ${database}`);
    const own = new URL(url);
    own.pathname = `/${database}`;
    server = await startOurServer({ database: own.toString() });
  });
  afterAll(async () => {
    await server?.stop();
    await admin.exec(`DROP DATABASE IF EXISTS ${database}`);
    await admin.close();
  });

  // broker-lifecycle talks to a broker, not to the server or its database: the SQLite test runs it
  const suites = SUITES.map((suite) => suite.name).filter((name) => name !== 'broker-lifecycle');

  it(
    'passes every suite that talks to the server, devices on the HTTP device API',
    async () => {
      const started = performance.now();
      const { results, report } = await runAgainst({ url: server.url, suites, quiet: true });
      console.log(
        `${report}\nrun against our server on PostgreSQL: ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(failures(results), server.logs()).toEqual([]);
      expect(unexpectedSkips(results)).toEqual([]);
    },
    FULL_RUN_MS,
  );
});
