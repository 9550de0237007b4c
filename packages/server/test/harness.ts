import { type Clock, memoryLogger, type SqlDriver, systemClock, type WorkerPool } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { basicAuthHeader, serve } from '@fleetkit/jsonrpc';
import type { ServerSettings } from '../src/context.ts';
import type { DeviceOptions } from '../src/devices/plugins.ts';
import type { PackageOptions } from '../src/packages/options.ts';
import { type FleetServer, openServer } from '../src/server.ts';

/** The sysadm password every test server starts with. */
export const ADMIN_PASSWORD = 'sysadm-test-password';

/** Options of {@link startServer}. */
export interface StartOptions {
  readonly driver?: SqlDriver;
  readonly clock?: Clock;
  readonly settings?: Partial<ServerSettings>;
  readonly devices?: DeviceOptions;
  readonly packages?: PackageOptions;
  readonly workerPool?: WorkerPool;
}

/** A server listening on a real port, and a raw JSON-RPC caller for it. */
export interface TestServer {
  readonly server: FleetServer;
  readonly url: string;
  readonly clock: Clock;
  readonly logs: ReturnType<typeof memoryLogger>;
  /** POSTs one JSON-RPC call as `login` and returns the parsed response body. */
  call(login: string, password: string, method: string, params?: unknown): Promise<RpcReply>;
  /** sysadm's call (master of the system account). */
  admin(method: string, params?: unknown): Promise<RpcReply>;
  close(): Promise<void>;
}

export interface RpcReply {
  readonly status: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: number; message: string; data?: unknown };
}

/** Starts a server on an in-memory SQLite store (or the given driver) behind a real HTTP listener. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const driver = options.driver ?? openSqlite({ path: ':memory:' });
  const clock = options.clock ?? systemClock;
  const logs = memoryLogger();
  const server = await openServer({
    driver,
    clock,
    logger: logs,
    adminPassword: ADMIN_PASSWORD,
    insecureTestPasswordIterations: 1_000,
    ...(options.settings === undefined ? {} : { settings: options.settings }),
    ...(options.devices === undefined ? {} : { devices: options.devices }),
    ...(options.packages === undefined ? {} : { packages: options.packages }),
    ...(options.workerPool === undefined ? {} : { workerPool: options.workerPool }),
  });
  const served = await serve(server.fetch);
  const rpcUrl = new URL('exodm/rpc', served.url).toString();
  let id = 0;
  const call = async (login: string, password: string, method: string, params?: unknown): Promise<RpcReply> => {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuthHeader(login, password) },
      body: JSON.stringify({ jsonrpc: '2.0', method, id: ++id, ...(params === undefined ? {} : { params }) }),
    });
    const text = await response.text();
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    return { status: response.status, ...body } as RpcReply;
  };
  return {
    server,
    url: served.url,
    clock,
    logs,
    call,
    admin: (method, params) => call('sysadm', ADMIN_PASSWORD, method, params),
    async close() {
      await served.close();
      await server.close();
      if (options.driver === undefined) await driver.close();
    },
  };
}
