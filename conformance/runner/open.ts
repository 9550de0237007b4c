import { Backend } from './backend.ts';
import { brokerDevices } from './devices/broker.ts';
import type { DeviceApi, DeviceApiName } from './devices/device.ts';
import { exoport } from './devices/exoport.ts';
import { fleetkitHttp } from './devices/fleetkit-http.ts';
import type { BrokerTarget, Env } from './env.ts';
import { CallbackListener } from './listener.ts';

/** What a run is pointed at (the CLI's flags as values). */
export interface Target {
  /** The server's base URL. */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly deviceApi?: DeviceApiName;
  readonly brokerUrl?: string;
  readonly callbackHost?: string;
  readonly callbackPort?: number;
  readonly waitMs?: number;
  readonly shortTimeoutMs?: number;
  readonly broker?: BrokerTarget;
}

/** An {@link Env} with its callback listener listening; `close` stops it. */
export interface OpenRun {
  readonly env: Env;
  close(): Promise<void>;
}

/** Starts the callback listener and builds the suites' environment. */
export async function openRun(target: Target): Promise<OpenRun> {
  const url = target.url.endsWith('/') ? target.url : `${target.url}/`;
  const waitMs = target.waitMs ?? 10_000;
  const listener = await CallbackListener.start({
    host: target.callbackHost ?? '127.0.0.1',
    port: target.callbackPort ?? 0,
  });
  const random = Math.floor(Math.random() * 36 ** 4).toString(36);
  const brokerUrl = target.brokerUrl ?? url.replace(/^http/, 'ws');
  const env: Env = {
    backend: new Backend(new URL('exodm/rpc', url).toString(), { user: target.user, password: target.password }),
    url,
    devices: deviceApi(target.deviceApi ?? 'fleetkit-http', url, brokerUrl, waitMs),
    brokerUrl,
    listener,
    run: `cf${Date.now().toString(36)}${random}`,
    password: `cf-${crypto.randomUUID()}`,
    waitMs,
    shortTimeoutMs: target.shortTimeoutMs ?? 1_500,
    broker: target.broker,
  };
  return { env, close: () => listener.close() };
}

function deviceApi(name: DeviceApiName, url: string, brokerUrl: string, waitMs: number): DeviceApi {
  if (name === 'exoport') return exoport(url);
  if (name === 'broker') return brokerDevices(url, brokerUrl, waitMs);
  return fleetkitHttp(url);
}
