import type { Clock, Logger, Random, SqlDriver } from '@fleetkit/core';
import type { Rbac } from '@fleetkit/rbac';
import type { TxQueue } from '@fleetkit/txqueue';
import type { ServerMetrics } from './metrics.ts';

/** Limits and policies an operator sets (docs/server.md lists each with its default). */
export interface ServerSettings {
  /** Largest JSON-RPC request body in bytes. */
  readonly maxBodyBytes: number;
  /** Largest YANG module text accepted by create-yang-module (the real server's 100 000). */
  readonly maxModuleBytes: number;
  /** Default timeout of a device transaction in ms when the request names none. */
  readonly defaultTimeoutMs: number;
  /** Also post transaction callbacks to the device's groups' URLs, as the real 1.x server did. */
  readonly callbacksToGroupUrls: boolean;
  /** Callback POST deadline in ms and largest reply read, in bytes. */
  readonly callbackTimeoutMs: number;
  readonly callbackMaxReplyBytes: number;
  /** Callback retry backoff: first delay and cap, in ms. */
  readonly callbackRetryMs: number;
  readonly callbackRetryMaxMs: number;
  /** Destinations a tenant's URL may (allow) or may not (deny) point at: CIDRs or host names. */
  readonly destinationsAllow: readonly string[];
  readonly destinationsDeny: readonly string[];
  /** How long a device-originated RPC waits for the backend's reply, in ms. */
  readonly deviceRpcTimeoutMs: number;
}

/** Everything a method family, a device plugin or the callback sender needs: built once by `openServer`. */
export interface ServerContext {
  readonly db: SqlDriver;
  readonly rbac: Rbac;
  readonly queue: TxQueue;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly settings: ServerSettings;
  readonly metrics: ServerMetrics;
}

/** The txqueue target name of an account's device or group: account names never hold `/` (rbac names.ts). */
export function queueName(account: string, id: string): string {
  return `${account}/${id}`;
}

/** Splits a txqueue target name back into account and id. */
export function splitQueueName(name: string): { readonly account: string; readonly id: string } {
  const at = name.indexOf('/');
  return { account: name.slice(0, at), id: name.slice(at + 1) };
}
