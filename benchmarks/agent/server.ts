// The fleetkit server the agent benchmark talks to, in its own process so its heap stays out of the
// agents' measurements: SQLite in a temporary directory, account `acme`, device type `meter`, a rate limit
// no benchmark device reaches. It sends its URL to the parent over IPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { basicAuthHeader, serve } from '@fleetkit/jsonrpc';
import { openServer } from '@fleetkit/server';

import { PROVISIONING_KEY } from './key.ts';

const directory = mkdtempSync(join(tmpdir(), 'fleetkit-agent-bench-'));
const driver = openSqlite({ path: join(directory, 'fleet.db') });
const server = await openServer({
  driver,
  adminPassword: 'sysadm-bench-password',
  logger: silentLogger,
  insecureTestPasswordIterations: 1_000,
  devices: { rateBurst: 1_000_000_000, ratePerSecond: 1_000_000_000 },
});
const served = await serve(server.fetch, { logger: silentLogger });
const rpc = async (login: string, password: string, method: string, params: object): Promise<void> => {
  const response = await fetch(new URL('exodm/rpc', served.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basicAuthHeader(login, password) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const reply = (await response.json()) as { result?: { result?: string } };
  if (reply.result?.result !== 'ok') throw new Error(`${method}: ${JSON.stringify(reply)}`);
};
await rpc('sysadm', 'sysadm-bench-password', 'exodm:create-account', {
  name: 'acme',
  email: 'a@acme.com',
  password: 'acme-bench-password',
});
await rpc('acme-admin', 'acme-bench-password', 'exodm:create-device-type', {
  name: 'meter',
  protocol: 'fleetkit-http',
  'provisioning-key': PROVISIONING_KEY,
});
process.send?.({ url: served.url.replace(/\/$/, '') });
process.on('disconnect', () => {
  void served
    .close()
    .then(() => server.close())
    .then(() => driver.close())
    .finally(() => {
      rmSync(directory, { recursive: true, force: true });
      process.exit(0);
    });
});
