import type { Manifest } from '@fleetkit/chunked';

/** What the server asks of a device for a package (docs/server.md, Packages). */
export type PackageOperation = 'install' | 'upgrade' | 'uninstall' | 'transmit';

/** The command names of package transactions: their tags on the server. */
export const PACKAGE_COMMANDS: Readonly<Record<string, PackageOperation>> = {
  'exodm:install-package': 'install',
  'exodm:upgrade-package': 'upgrade',
  'exodm:uninstall-package': 'uninstall',
  'exodm:push-package': 'transmit',
};

/** What a device reports about a package operation (`POST packages/{name}/status`). */
export type PackageReportStatus =
  | 'transmitted'
  | 'installed'
  | 'upgraded'
  | 'uninstalled'
  | 'transmit-failed'
  | 'install-failed'
  | 'upgrade-failed'
  | 'uninstall-failed'
  | 'unsupported-package'
  | 'dependency-failure';

/** A package the device has, as its inventory lists it. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
}

/** A verified image, handed to an installer once its Merkle root checked out. */
export interface PackageImage {
  readonly name: string;
  readonly version: string;
  /** The manifest's anti-rollback number. */
  readonly sequence: number;
  readonly size: number;
  /** The signed manifest the image was verified against. */
  readonly manifest: Manifest;
  /** The image, read chunk by chunk from the agent's chunk storage. */
  stream(): ReadableStream<Uint8Array>;
  /** The whole image in memory (small images; large ones should be streamed). */
  bytes(): Promise<Uint8Array>;
}

/** What an installer gets besides the image. */
export interface PackageContext {
  /** Aborts when the agent stops. */
  readonly signal: AbortSignal;
  readonly operation: PackageOperation;
  /** The command (`<transaction>.<attempt>`) carrying the operation. */
  readonly commandId: string;
  /** An upgrade's old package. */
  readonly from?: InstalledPackage;
  /** The values of the package's configuration container. */
  readonly values?: Readonly<Record<string, unknown>>;
  /** The device type's install, upgrade or uninstall arguments. */
  readonly arguments?: unknown;
  /** True when the package comes in only as another package's dependency. */
  readonly asDependency: boolean;
  /** True when this operation was under way when the device went down, and is carried on after the restart. */
  readonly resumed: boolean;
}

/**
 * What an install or upgrade says. `reboot: true`: the package takes effect
 * after a restart; the agent reports it installed but unconfirmed, and the
 * inventory the next agent posts after the restart confirms it. `version`:
 * the version the device now runs, when not the package's.
 */
export interface PackageOutcome {
  readonly reboot?: boolean;
  readonly version?: string;
}

/** Installs (or upgrades to) a verified image; a throw reports `install-failed` (`upgrade-failed`) with its message. */
export type InstallFunction = (
  image: PackageImage,
  context: PackageContext,
) => PackageOutcome | undefined | Promise<PackageOutcome | undefined>;

/**
 * The device code for packages (one per package name, or `'*'`). Every
 * callback may throw: the failure status of the operation is reported with
 * the message.
 */
export interface PackageInstaller {
  readonly install: InstallFunction;
  /** Default: `install` with the new image (the old package's record goes either way). */
  readonly upgrade?: InstallFunction;
  /** Removes a package. Default: nothing to remove but the agent's record. */
  readonly uninstall?: (target: InstalledPackage, context: PackageContext) => unknown;
  /** Keeps an image the server pushed without installing it. Default: the verified chunks stay in storage. */
  readonly transmit?: (image: PackageImage, context: PackageContext) => unknown;
}

/** What the device runs now; posted after every restart that followed an install needing one. */
export type PackageInventory = () => readonly InstalledPackage[] | Promise<readonly InstalledPackage[]>;

/** The name of the installer that takes every package without one of its own. */
export const ANY_PACKAGE = '*';

/** How an agent transfers package images. */
export interface PackageTransferOptions {
  /** Chunks asked for in one Range request; what arrived is acknowledged between requests. Default 16. */
  readonly chunksPerRequest?: number;
  /**
   * Downloads in a row that bring a chunk failing verification (or an image
   * that changed under the manifest) before the operation is reported
   * failed. Network trouble does not count: it is backed off and retried.
   * Default 3.
   */
  readonly attempts?: number;
}
