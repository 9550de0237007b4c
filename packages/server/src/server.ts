import type { Broker } from '@fleetkit/broker';
import {
  type Clock,
  createLogger,
  cryptoRandom,
  type Logger,
  type Random,
  type SqlDriver,
  systemClock,
  type WorkerPool,
} from '@fleetkit/core';
import { openRbac, type Rbac } from '@fleetkit/rbac';
import { openTxQueue, type TxQueue } from '@fleetkit/txqueue';
import type { Hono } from 'hono';
import { watchConfigTransactions } from './api/config-data.ts';
import { SERVER_ALIASES, SERVER_MATRIX } from './api/matrix.ts';
import { backendRouter, builtInMethods } from './api/router.ts';
import { createApp } from './app.ts';
import { callbackStats } from './callbacks/outbox.ts';
import { startCallbacks } from './callbacks/sender.ts';
import type { ServerContext, ServerSettings } from './context.ts';
import { checkDestinationSettings } from './destinations.ts';
import { type DeviceOptions, openDevicePlugins, resolveDeviceOptions } from './devices/plugins.ts';
import { ServerMetrics } from './metrics.ts';
import { attachModules } from './modules.ts';
import { watchPackageTransactions } from './packages/operations.ts';
import type { PackageOptions } from './packages/options.ts';
import { openPackages } from './packages/service.ts';
import { uploadHandler } from './packages/upload-route.ts';
import { resolveSettings } from './settings.ts';
import { groupMembersResolver } from './store/groups.ts';
import { createTables } from './store/schema.ts';

/** Options of {@link openServer}. */
export interface ServerOptions {
  /** Where everything persists: a SQLite or PostgreSQL driver of `@fleetkit/core` (the CLI opens one from flags). */
  readonly driver: SqlDriver;
  /** Password of `sysadm` on first start; generated and logged once when absent. */
  readonly adminPassword?: string;
  readonly settings?: Partial<ServerSettings>;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  /** PBKDF2 rounds of new password hashes: at least 600 000 (rbac refuses fewer). Default 600 000. */
  readonly passwordIterations?: number;
  /** Test suites only: PBKDF2 rounds below the floor (rbac's `insecureTestPasswordIterations`); never in production. */
  readonly insecureTestPasswordIterations?: number;
  /** Where large device-RPC inputs and configuration documents are validated; absent: in-thread. */
  readonly workerPool?: WorkerPool;
  /** The device protocol plugins' limits and the broker's keys (docs/server.md §Devices). */
  readonly devices?: DeviceOptions;
  /** Package limits: image size, chunk size, chunk cache (docs/server.md §Packages). */
  readonly packages?: PackageOptions;
}

/** A running server: its fetch handler (mount it on any runtime's HTTP server) and its parts. */
export interface FleetServer {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly app: Hono;
  readonly context: ServerContext;
  /** The `broker` plugin's engine: mount it on the server's port (adapters/node.ts does, with `mountNode`). */
  readonly broker: Broker;
  /** Passwords generated on first start (also logged once). */
  readonly generatedPasswords: Readonly<Record<string, string>>;
  /** Stops background work; the driver stays the caller's. */
  close(): Promise<void>;
}

/**
 * Opens the server on a SQL driver: creates its tables, opens rbac with the
 * server's method matrix and txqueue with the server's group membership,
 * bootstraps the first admin, and composes the backend API and the device
 * protocols into one fetch handler.
 */
export async function openServer(options: ServerOptions): Promise<FleetServer> {
  const { driver } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const logger = options.logger ?? createLogger();
  const settings = resolveSettings(options.settings);
  checkDestinationSettings(settings);
  const deviceOptions = resolveDeviceOptions(options.devices);
  await createTables(driver);
  const rbac: Rbac = await openRbac({
    driver,
    random,
    logger,
    methods: SERVER_MATRIX,
    aliases: SERVER_ALIASES,
    ...(options.passwordIterations === undefined ? {} : { passwordIterations: options.passwordIterations }),
    ...(options.insecureTestPasswordIterations === undefined
      ? {}
      : { insecureTestPasswordIterations: options.insecureTestPasswordIterations }),
    ...('listen' in driver ? { notifier: driver as never } : {}),
  });
  const queue: TxQueue = await openTxQueue({
    storage: driver,
    clock,
    random,
    logger,
    groups: groupMembersResolver(driver),
    defaultTimeoutMs: settings.defaultTimeoutMs,
  });
  const metrics = new ServerMetrics();
  const context: ServerContext = { db: driver, rbac, queue, clock, random, logger, settings, metrics };
  const { generatedPasswords } = await rbac.bootstrap(
    options.adminPassword === undefined ? {} : { sysadmPassword: options.adminPassword },
  );
  attachModules(context, { pool: options.workerPool });
  await openPackages(context, { packages: options.packages, pool: options.workerPool });
  watchConfigTransactions(context);
  watchPackageTransactions(context);
  const router = backendRouter(context, builtInMethods(context));
  const app = createApp(context, router);
  const upload = uploadHandler(context);
  app.put('/exodm/packages/:name', (c) => upload(c.req.raw, c.req.param('name')));
  const devices = openDevicePlugins(context, deviceOptions);
  devices.mount(app);
  const callbacks = startCallbacks(context);
  metrics.source({ callbacks: () => callbackStats(context), transactions: () => queue.openCounts() });
  return {
    fetch: async (request) => app.fetch(request),
    app,
    context,
    broker: devices.broker,
    generatedPasswords,
    async close() {
      await devices.close();
      await callbacks.stop();
      await queue.close();
      await rbac.close();
    },
  };
}
