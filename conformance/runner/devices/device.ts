import type { Tenant } from '../tenant.ts';

/** A transaction as a played device received it, whatever the device API. */
export interface Work {
  /** The id the device sees (manual §7.2: unique per device). */
  readonly transactionId: number;
  /** `config` for configuration data (§7.1), `rpc` for a device RPC. */
  readonly kind: 'config' | 'rpc';
  /** The RPC (`module:rpc`), or the name the device API gives a configuration push. */
  readonly name: string;
  /** The RPC's input, or `{updates: [{module, values}]}` for configuration. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The transaction in the device API's own shape, for protocol-level checks. */
  readonly raw: unknown;
}

/** How a device ends (or reports on) a transaction: the std-callback's `rpc-status` (docs/sources.md, the real exodm item 2). */
export type AckStatus = 'complete' | 'progress' | 'device-error' | 'value-error';

/** What the server said to an ack. */
export interface AckOutcome {
  readonly accepted: boolean;
  /** The device API's answer, for the failure message. */
  readonly answer: unknown;
}

/** A JSON-RPC response the server gave a device's own RPC (manual §5.4). */
export interface RpcAnswer {
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message?: string; readonly data?: unknown };
}

/** One device, played through a device API. */
export interface PlayedDevice {
  /** Its device id on the backend API. */
  readonly id: string;
  /** Fig. 9 step 11: the device connects to (calls in at) the server. */
  connect(): Promise<void>;
  /** Its next transaction, waiting up to `waitMs` (0: only what is there now). */
  take(waitMs: number): Promise<Work | undefined>;
  /** Reports the outcome (or progress) of `work`. */
  ack(work: Work, status: AckStatus, detail?: Record<string, unknown>): Promise<AckOutcome>;
  /** A device-originated RPC (§5.4, §5.8); its reply. */
  rpc(method: string, params: Record<string, unknown>): Promise<RpcAnswer>;
  /** A device-originated notification: forwarded, never answered. */
  notify(method: string, params: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** A way to play devices: the server's HTTP device API, exoport, or a broker (`--device-api`). */
export interface DeviceApi {
  readonly name: DeviceApiName;
  /** The `protocol` of the device types the suites create for it (manual §5.5). */
  readonly protocol: string;
  /** Creates the device `id` of type `type` in the tenant's account and gets it credentials. */
  provision(tenant: Tenant, id: string, type: string): Promise<PlayedDevice>;
  /** What `create-device-type` needs beside name and protocol. */
  typeParams(tenant: Tenant, type: string): Record<string, unknown>;
}

export const DEVICE_APIS = ['fleetkit-http', 'exoport', 'broker'] as const;
export type DeviceApiName = (typeof DEVICE_APIS)[number];

/** Waits `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
