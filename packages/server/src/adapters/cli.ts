#!/usr/bin/env node
// fleetkit-server: the reference server on the embedded SQLite default, or on a shared PostgreSQL.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type SqlDriver } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openServer } from '../server.ts';
import { parseCli, USAGE } from './cli-args.ts';
import { serve } from './serve.ts';

async function main(): Promise<void> {
  const config = parseCli(process.argv.slice(2));
  if (config.help) {
    console.log(USAGE);
    return;
  }
  // JSON lines on stderr (core's default sink): stdout keeps the start-up lines a newcomer reads
  const logger = createLogger({ level: config.logLevel });
  let driver: SqlDriver;
  if (config.database === undefined) {
    mkdirSync(config.dataDir, { recursive: true });
    driver = openSqlite({ path: join(config.dataDir, 'fleetkit.db') });
  } else {
    driver = openPostgres({ connectionString: config.database, applicationName: 'fleetkit-server' });
  }
  // an empty variable is no password: one is generated on first start, as when it is unset
  const adminPassword = process.env.FLEETKIT_ADMIN_PASSWORD || undefined;
  const server = await openServer({
    driver,
    logger,
    settings: config.settings,
    ...(adminPassword === undefined ? {} : { adminPassword }),
  });
  const listening = await serve(server, {
    port: config.port,
    hostname: config.host,
    ...(config.tls === undefined
      ? {}
      : { tls: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } }),
  });
  const generated = server.generatedPasswords.sysadm;
  const password = generated ?? adminPassword ?? '<the password printed at first start>';
  // the system account's own admin: generated with the account on first start, shown only then
  const systemAdmin = server.generatedPasswords['exodm-admin'];
  const rpc = new URL('exodm/rpc', listening.url).toString();
  console.log(`fleetkit server on ${listening.url} (${config.database === undefined ? `SQLite in ${config.dataDir}` : 'PostgreSQL'})
admin login: sysadm / ${password}${generated === undefined ? '' : '   (generated now, printed once: keep it)'}${
    systemAdmin === undefined
      ? ''
      : `\nsystem account admin: exodm-admin / ${systemAdmin}   (generated now, printed once: keep it)`
  }
try:
  curl -s -u 'sysadm:${password}' -H 'content-type: application/json' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"exodm:list-accounts","params":{"n":10}}' ${rpc}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await listening.stop();
    await server.close();
    await driver.close();
    logger.info('stopped', { signal });
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
