/** "Auth data" of 000: what a registration answers, kept by the store (docs/sources.md, The Xyte device API). */
export interface AuthData {
  /** The device's public id on the server (Xyte `id`): it goes in every URL, and is the broker `deviceId`. */
  readonly id: string;
  /** Sent in `Authorization` with every call (Xyte `access_key`), and as the broker `apiKey`. */
  readonly accessKey: string;
  /** Where calls go after registration (Xyte `hub_url`). */
  readonly hubUrl: string;
}

/** Who the device is when it registers (`POST /v1/devices`). */
export interface Registration {
  /** The account the device type belongs to (fleetkit's; the real Xyte has one provisioning host per cloud). */
  readonly account: string;
  /** The device type's provisioning key (Xyte `hardware_key`). */
  readonly provisioningKey: string;
  /** The device's id; else `cloudId`; else `mac` and `sn` (the server names it `<mac>-<sn>`). */
  readonly deviceId?: string;
  readonly cloudId?: string;
  readonly mac?: string;
  readonly sn?: string;
  readonly firmwareVersion?: string;
  /** A human-readable name (the device's description on the server). */
  readonly name?: string;
}

/** What the device says about itself each telemetry beat (Xyte Send Telemetry). */
export interface TelemetryReport {
  /** `online`, `offline` or `error` on Xyte; any short text on fleetkit. */
  readonly status?: string;
  /** Values that update the ones the server holds (all of them with `override`). */
  readonly telemetries?: Readonly<Record<string, unknown>>;
  readonly override?: boolean;
  readonly message?: string;
  /** ISO-8601 time of the report; the server's clock when absent. */
  readonly timestamp?: string;
}

/** What the telemetry answer says waits for the device (Xyte `config_version`, `command`, `new_licenses`). */
export interface Pending {
  readonly command: boolean;
  /** Newer than the device's own version: fetch the configuration. */
  readonly configVersion: number;
  readonly licenses: boolean;
}

/** A command as Get Command answers it: one at a time. */
export interface Command {
  /** Quote it in every update; fleetkit's server makes it `<transaction>.<attempt>`. */
  readonly id: string;
  /** The RPC to run (`module:rpc` on fleetkit's server). */
  readonly name: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** `in_progress` after a restart: the device was carrying it out when it went down. */
  readonly status: 'pending' | 'in_progress';
  /** The backend cancelled it: stop, and confirm with `cancelled`. */
  readonly cancel: boolean;
}

/** A report on a command (Xyte Update Command, with fleetkit's `progress` and `result`). */
export type CommandUpdate =
  | { readonly id: string; readonly status: 'in_progress'; readonly progress?: unknown }
  | { readonly id: string; readonly status: 'done'; readonly result?: unknown }
  | { readonly id: string; readonly status: 'failed'; readonly message: string }
  | { readonly id: string; readonly status: 'cancelled' };

/** What Get Config answers: the configuration of a version, and `id` when it is a delivery to confirm. */
export interface ConfigDocument {
  /** The delivery to confirm; absent when the server has nothing newer. */
  readonly id?: string;
  readonly version: number;
  /** The configuration itself (fleetkit: `{version, updates: [{module, values}], config-set?}`). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** The device's report on a configuration it applied (Xyte Set Config after applying). */
export interface ConfigReport {
  readonly id?: string;
  readonly version: number;
  readonly status: 'done' | 'failed';
  readonly message?: string;
}

/** A licence change as Get Licenses lists it. */
export interface License {
  readonly id: string;
  readonly action: 'add' | 'update' | 'remove';
  /** ISO-8601 expiry (Xyte `expired_at`). */
  readonly expiresAt?: string;
  readonly data: unknown;
}

/** The confirmation of a licence: `inuse` after add or update, `removed` after remove. */
export type LicenseState = 'inuse' | 'removed';
