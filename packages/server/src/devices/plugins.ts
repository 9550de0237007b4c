import type { Broker } from '@fleetkit/broker';
import type { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { BrokerPlugin } from './broker.ts';
import { exoportHandler } from './exoport.ts';
import { fleetkitHttpRoutes } from './http.ts';
import { type DeviceRuntime, deviceRuntime, type ResolvedDeviceOptions } from './runtime.ts';

export { type DeviceOptions, resolveDeviceOptions } from './runtime.ts';

/** The device protocol plugins of a server (manual §5.7): `fleetkit-http`, `exoport-http` and `broker`. */
export interface DevicePlugins {
  readonly runtime: DeviceRuntime;
  /** The broker engine; a runtime adapter mounts it on the server's port (`mountNode`, `mountBun`, `mountDeno`). */
  readonly broker: Broker;
  /** Adds the HTTP plugins' routes: `/v1/devices…` (fleetkit-http) and `POST /exoport` (exoport-http). */
  mount(app: Hono): void;
  /** Resolves once the broker plugin's background work has settled. */
  idle(): Promise<void>;
  /** Closes the broker's connections, stops delivering and writes the held-back `last_seen` sightings. */
  close(): Promise<void>;
}

/** Opens the device plugins on a server's context with options checked by `resolveDeviceOptions`; `openServer` calls it. */
export function openDevicePlugins(server: ServerContext, options: ResolvedDeviceOptions): DevicePlugins {
  const runtime = deviceRuntime(server, options);
  const broker = new BrokerPlugin(runtime);
  const exoport = exoportHandler(runtime);
  return {
    runtime,
    broker: broker.broker,
    mount(app) {
      app.route('/v1', fleetkitHttpRoutes(runtime));
      app.post('/exoport', (c) => exoport(c.req.raw));
    },
    idle: () => broker.idle(),
    async close() {
      await broker.close();
      await runtime.engine.flush();
    },
  };
}
