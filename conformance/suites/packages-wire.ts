import type { Manifest } from '@fleetkit/chunked';

/**
 * An answer of the device side of the server: the HTTP status, or for the
 * broker the status its refusal names (200 for an answer), and the body,
 * a refusal's as `{error, message}` either way.
 */
export interface WireReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A package command as the device receives it (docs/server.md, Packages: the command). */
export interface PackageCommand {
  /** `<transaction>.<attempt>`. */
  readonly id: string;
  /** The operation's tag (`exodm:install-package`…). */
  readonly name: string;
  readonly parameters: Record<string, unknown>;
}

/** Image bytes a device asked for, or the refusal. */
export interface ChunksReply extends WireReply {
  /** The bytes of the chunks asked for, when they came. */
  readonly bytes?: Uint8Array;
}

/** Where a request is sent: the package, and on HTTP the path the command gave for it. */
export interface Target {
  readonly name: string;
  readonly path?: string;
}

/**
 * How a device reaches the server's package transfer: the HTTP device API
 * (`fleetkit-http`) or messages on its broker connection (`broker`), both as
 * docs/server.md ("Packages", Transfer) describes them.
 */
export interface PackageWire {
  /** How long to listen for a command that must not come (HTTP answers at once; the broker pushes). */
  readonly quietMs: number;
  /** The server's manifest key: `{algorithm, public-key}`. */
  key(): Promise<WireReply>;
  /** The next package command, waiting up to `waitMs`. */
  command(waitMs: number): Promise<PackageCommand | undefined>;
  /** The device goes down and starts again (HTTP: nothing to do; broker: a new connection). */
  restart(): Promise<void>;
  /** The signed manifest's bytes, or the refusal. */
  manifest(target: Target): Promise<ChunksReply>;
  /** The bytes of chunks `first` ≤ i < `last` (without a manifest: any answer, for a refusal). */
  chunks(target: Target, range: { first: number; last: number; manifest?: Manifest }): Promise<ChunksReply>;
  /** Acknowledges chunks verified and stored: `{ranges}` or `{bitmap}` (base64). */
  acknowledge(target: Target, body: Record<string, unknown>): Promise<WireReply>;
  /** Reports the operation's status. */
  report(target: Target, body: Record<string, unknown>): Promise<WireReply>;
  /** After a start: what the device runs. */
  inventory(packages: readonly { name: string; version: string }[]): Promise<WireReply>;
  close(): Promise<void>;
}
