// A real fleetkit server for the agent's tests, in this process: requests go
// straight to its fetch handler (no socket), or through a real port with
// `listen: true`. The backend calls are the ones a device-management
// backend makes (docs/server.md).
import { type Clock, memoryLogger, systemClock } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { basicAuthHeader, serve } from '@fleetkit/jsonrpc';
import { type FleetServer, openServer } from '@fleetkit/server';
import type { FetchFunction } from '../src/index.ts';

const ADMIN_PASSWORD = 'sysadm-agent-test';
const ACME_PASSWORD = 'acme-admin-pw';

/** The provisioning key of device type `meter` (HTTP device API). */
export const METER_KEY = 'meter-provisioning-key-0001';
/** The provisioning key of device type `sensor` (broker). */
export const SENSOR_KEY = 'sensor-provisioning-key-0001';

/** The module of the device RPCs the tests send; `settings` is its configuration. */
const AGENT_YANG = `module agent-test {
  namespace "urn:fleetkit:agent-test";
  prefix a;
  import exosense { prefix exo; }
  revision 2024-01-01;
  leaf interval { type uint32; }
  rpc echo {
    input { uses exo:std-request; leaf text { type string; } }
    output { leaf echoed { type string; } }
  }
  rpc reboot { input { uses exo:std-request; } }
  rpc firmware-update { input { uses exo:std-request; leaf version { type string; } } }
  rpc unknown-to-device { input { uses exo:std-request; } }
}`;

/** What a backend call answers. */
export interface Reply {
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: number; readonly message: string };
}

/** A running server and the backend calls of account `acme`. */
export interface TestServer {
  readonly server: FleetServer;
  /** The provisioning URL devices use. */
  readonly url: string;
  /** A fetch that reaches the server (its handler in this process, or the network with `listen`). */
  readonly fetch: FetchFunction;
  /** A backend call as acme's admin. */
  acme(method: string, params?: Record<string, unknown>): Promise<Reply>;
  /** The backend's device RPC `agent-test:<rpc>`; the transaction id. */
  send(deviceId: string, rpc: string, params?: Record<string, unknown>): Promise<number>;
  /** A transaction as the backend reads it. */
  transaction(deviceId: string, id: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  readonly clock?: Clock;
  readonly devices?: { readonly rateBurst?: number; readonly ratePerSecond?: number };
  /** Serve on a real port (for the broker, and to go through real sockets). */
  readonly listen?: boolean;
  /** The server's package options (`chunkSize`: small chunks make many of a small image). */
  readonly packages?: { readonly chunkSize?: number };
}

/** Calls the server's handler in this process; `inFlight` holds the answers not yet given (closing waits for them). */
function inProcess(server: FleetServer, inFlight: Set<Promise<unknown>>): FetchFunction {
  return (input, init) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const answer = server.fetch(new Request(input, init));
      inFlight.add(answer);
      void answer.then(
        () => inFlight.delete(answer),
        () => inFlight.delete(answer),
      );
      answer.then(
        (response) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(response);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  };
}

/** Opens a server on in-memory SQLite with account acme, its module and the device types `meter` and `sensor`. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const driver = openSqlite({ path: ':memory:' });
  const server = await openServer({
    driver,
    clock: options.clock ?? systemClock,
    logger: memoryLogger(),
    adminPassword: ADMIN_PASSWORD,
    insecureTestPasswordIterations: 1_000,
    ...(options.devices === undefined ? {} : { devices: options.devices }),
    ...(options.packages === undefined ? {} : { packages: options.packages }),
  });
  const served = options.listen === true ? await serve(server.fetch, { logger: memoryLogger() }) : undefined;
  const url = served === undefined ? 'http://fleet.test' : served.url.replace(/\/$/, '');
  const inFlight = new Set<Promise<unknown>>();
  const fetchFunction: FetchFunction =
    served === undefined ? inProcess(server, inFlight) : (input, init) => fetch(input, init);
  let id = 0;
  const call = async (login: string, password: string, method: string, params?: Record<string, unknown>) => {
    const response = await server.fetch(
      new Request(`${url}/exodm/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuthHeader(login, password) },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, ...(params === undefined ? {} : { params }) }),
      }),
    );
    return (await response.json()) as Reply;
  };
  const acme = (method: string, params?: Record<string, unknown>) => call('acme-admin', ACME_PASSWORD, method, params);
  const ok = async (method: string, params: Record<string, unknown>) => {
    const reply = await acme(method, params);
    if (reply.result?.result !== 'ok') throw new Error(`${method}: ${JSON.stringify(reply)}`);
  };
  await call('sysadm', ADMIN_PASSWORD, 'exodm:create-account', {
    name: 'acme',
    email: 'a@acme.com',
    password: ACME_PASSWORD,
  });
  await ok('exodm:create-yang-module', { name: 'agent-test.yang', 'yang-module': AGENT_YANG });
  for (const rpc of ['echo', 'reboot', 'firmware-update', 'unknown-to-device']) {
    await ok('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'agent-test', 'rpc-name': rpc });
  }
  await ok('exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http', 'provisioning-key': METER_KEY });
  await ok('exodm:create-device-type', { name: 'sensor', protocol: 'broker', 'provisioning-key': SENSOR_KEY });
  return {
    server,
    url,
    fetch: fetchFunction,
    acme,
    async send(deviceId, rpc, params = {}) {
      const reply = await acme(`agent-test:${rpc}`, { 'device-id': deviceId, ...params });
      if (reply.result?.['rpc-status'] !== 'accepted') throw new Error(`${rpc}: ${JSON.stringify(reply)}`);
      return Number(reply.result['transaction-id']);
    },
    async transaction(deviceId, transactionId) {
      const reply = await acme('exodm:get-transaction', { 'device-id': deviceId, 'transaction-id': transactionId });
      if (reply.result?.result !== 'ok') throw new Error(`get-transaction: ${JSON.stringify(reply)}`);
      return reply.result.transaction as Record<string, unknown>;
    },
    async close() {
      await served?.close();
      await Promise.allSettled([...inFlight]);
      await server.close();
      await driver.close();
    },
  };
}
