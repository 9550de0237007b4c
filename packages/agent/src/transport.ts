import type { Assembler } from '@fleetkit/chunked';
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

/** A package of the device as the server sees it. */
export interface PackageState {
  readonly name: string;
  /** `pending-install`, `transferring`, `installed`, `install-failed`… (docs/server.md, get-package-status). */
  readonly status: string;
  /** Installed, and no restart is awaited to confirm it. */
  readonly confirmed: boolean;
}

/** A device's report on its package operation (`POST packages/{name}/status`). */
export interface PackageReport {
  readonly status: PackageReportStatus;
  readonly version?: string;
  readonly reboot?: boolean;
  readonly message?: string;
}

/** The package a call is about: its name, and the command's paths of the HTTP device API. */
export interface PackageTarget {
  readonly name: string;
  /** Paths relative to the device's own `/v1/devices/{id}/`, from the command's parameters. */
  readonly manifest: string;
  readonly image: string;
  readonly acknowledge: string;
  readonly report: string;
}

/** How {@link PackageChannel.download} asks for chunks. */
export interface DownloadOptions {
  /** Chunks asked for in one request. */
  readonly chunksPerRequest: number;
  /** Called before each request, so what the last one brought is acknowledged in between. */
  readonly before: () => Promise<void>;
  readonly signal: AbortSignal;
}

/**
 * The package transfer of one registered device (docs/server.md, Packages,
 * Transfer): over HTTP with the `fleetkit-http` routes, or with the broker
 * plugin's package messages.
 */
export interface PackageChannel {
  /** The server's Ed25519 public key that signs manifests (raw 32 bytes). */
  key(signal: AbortSignal): Promise<Uint8Array>;
  /** The signed manifest's bytes (chunked's envelope), unverified. */
  manifest(target: PackageTarget, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Feeds the assembler every chunk it is missing, `chunksPerRequest` at a
   * time (it verifies each before storing it). Interrupted, what it stored
   * stays; called again, it asks only for the rest.
   */
  download(target: PackageTarget, assembler: Assembler, options: DownloadOptions): Promise<void>;
  /** Tells the server which chunks are verified and stored (chunked's bitmap). */
  acknowledge(target: PackageTarget, bitmap: Uint8Array, signal: AbortSignal): Promise<ChunkAcknowledgement>;
  report(target: PackageTarget, report: PackageReport, signal: AbortSignal): Promise<void>;
  /** What the device runs, after a restart; the server's view of the device's packages after it took that in. */
  inventory(packages: readonly InstalledPackage[], signal: AbortSignal): Promise<readonly PackageState[]>;
  /** The operation of this command is over for the device (a broker session forgets its transaction). */
  finish(commandId: string): void;
}
