import type { InstalledPackage, PackageReportStatus } from './packages.ts';
import type {
  AuthData,
  Command,
  CommandUpdate,
  ConfigDocument,
  ConfigReport,
  License,
  LicenseState,
  Pending,
  Registration,
  TelemetryReport,
} from './types.ts';

/**
 * How an agent reaches its server: provisioning, then one session per set
 * of credentials. Every method throws an `AgentError`: `auth-lost` for
 * 401/403, `unavailable`, `rate-limited` or `invalid-reply` for what backing
 * off may cure, `refused` for any other refusal; and the signal's reason
 * when the signal aborts.
 */
export interface Transport {
  /** Registers the device (`POST /v1/devices`) and returns its auth data. */
  register(registration: Registration, signal: AbortSignal): Promise<AuthData>;
  /** A session with these credentials; `hooks.onWork` is called when the server pushes work. */
  open(auth: AuthData, hooks: SessionHooks): Session;
}

/** What a session tells its agent without being asked. */
export interface SessionHooks {
  /** Work arrived (broker): a significant event, so the agent looks at once. */
  readonly onWork: () => void;
}

/** The device API calls of one registered device (docs/sources.md, The Xyte device API). */
export interface Session {
  /** Sends the report; answers what waits. */
  telemetry(report: TelemetryReport, signal: AbortSignal): Promise<Pending>;
  /** The device's current command, if any. */
  command(signal: AbortSignal): Promise<Command | undefined>;
  updateCommand(update: CommandUpdate, signal: AbortSignal): Promise<void>;
  config(signal: AbortSignal): Promise<ConfigDocument>;
  reportConfig(report: ConfigReport, signal: AbortSignal): Promise<void>;
  /** The pending licence changes, in the order they are to be applied. */
  licenses(signal: AbortSignal): Promise<readonly License[]>;
  confirmLicense(id: string, state: LicenseState, signal: AbortSignal): Promise<void>;
  /** A device-originated JSON-RPC request; its result, or `rpc-failed` holding the JSON-RPC error. */
  rpc(method: string, params: unknown, signal: AbortSignal): Promise<unknown>;
  /** A device-originated JSON-RPC notification. */
  notify(method: string, params: unknown, signal: AbortSignal): Promise<void>;
  /** Ends the session (closes a broker connection). */
  close(): void;
  /** The package transfer calls; absent when the transport has no way to carry images. */
  readonly packages?: PackageChannel;
}

/** The server's answer to an acknowledgement of chunks. */
export interface ChunkAcknowledgement {
  /** Chunks the server holds as acknowledged (the union of every acknowledgement). */
  readonly acknowledged: number;
  readonly total: number;
}

/** A device's report on its package operation (`POST packages/{name}/status`). */
export interface PackageReport {
  readonly status: PackageReportStatus;
  readonly version?: string;
  readonly reboot?: boolean;
  readonly message?: string;
}

/**
 * The package transfer of one registered device (docs/server.md, Packages,
 * Transfer). `path`s are the command's, relative to the device's own base.
 */
export interface PackageChannel {
  /** The server's Ed25519 public key that signs manifests (raw 32 bytes). */
  key(signal: AbortSignal): Promise<Uint8Array>;
  /** The signed manifest's bytes (chunked's envelope), unverified. */
  manifest(path: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Where the image is, and a fetch that sends chunked's Range requests with the device's credentials. */
  image(path: string): { readonly url: string; readonly fetch: (request: Request) => Promise<Response> };
  /** Tells the server which chunks are verified and stored (chunked's bitmap). */
  acknowledge(path: string, bitmap: Uint8Array, signal: AbortSignal): Promise<ChunkAcknowledgement>;
  report(path: string, report: PackageReport, signal: AbortSignal): Promise<void>;
  /** What the device runs, after a restart (`POST packages`). */
  inventory(packages: readonly InstalledPackage[], signal: AbortSignal): Promise<void>;
}
