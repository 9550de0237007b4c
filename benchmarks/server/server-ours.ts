// Child process: @fleetkit/server as the CLI runs it (openServer on a SQLite
// file or PostgreSQL, served by the Node adapter), with production settings.
// One addition for the auth comparison: the same backend router behind
// `POST /bench/rpc-without-auth`, whose authenticator accepts every request
// as `--auth-off-user` without checking a password (access control still runs).
// Over IPC it answers the count of durable commits so far (commits.ts).
import { parseArgs } from 'node:util';
import { createLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { createHttpHandler } from '@fleetkit/jsonrpc';
import { openServer } from '@fleetkit/server';
import { listen } from '../../packages/server/src/adapters/node.ts';
import { backendRouter, builtInMethods } from '../../packages/server/src/api/router.ts';
import { CommitCounter } from './commits.ts';
import { serveParent } from './processes.ts';

const { values } = parseArgs({
  options: {
    sqlite: { type: 'string' },
    database: { type: 'string' },
    'admin-password': { type: 'string' },
    'auth-off-user': { type: 'string' },
  },
});
const commits = new CommitCounter();
const driver = commits.wrap(
  values.sqlite === undefined
    ? openPostgres({ connectionString: values.database!, applicationName: 'fleetkit-bench' })
    : openSqlite({ path: values.sqlite }),
);
// warnings only: a production server's info lines (one per device registration) are not what is measured
const logger = createLogger({ level: 'warn' });
const server = await openServer({
  driver,
  logger,
  ...(values['admin-password'] === undefined ? {} : { adminPassword: values['admin-password'] }),
});
const withoutAuth = createHttpHandler(backendRouter(server.context, builtInMethods(server.context)), {
  authenticate: {
    challenge: 'Basic realm="bench"',
    authenticate: async () => ({ user: values['auth-off-user'] ?? 'sysadm' }),
  },
  maxBodyBytes: server.context.settings.maxBodyBytes,
  logger,
});
server.app.post('/bench/rpc-without-auth', (c) => withoutAuth(c.req.raw));
const listening = await listen(server, { port: 0 });
serveParent(listening.port, async (message) => {
  if (message.type === 'commits') return commits.snapshot();
  throw new Error(`unknown request ${String(message.type)}`);
});
