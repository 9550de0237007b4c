// Types of launch.js, the bins' launcher (plain JavaScript: a checkout runs it before any build).

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** The command's name, for its messages (`fleetkit-broker: …`). */
  readonly name: string;
  /** The bin's `import.meta.url`; the package is the folder above the bin's `bin/`. */
  readonly bin: string;
  /** The built entry an installed package imports, relative to the package (`dist/adapters/cli.js`). */
  readonly built: string;
  /** The TypeScript entry a checkout runs, relative to the package (`src/adapters/cli.ts`). */
  readonly source: string;
}

/** Options of {@link runSource}. */
export interface RunSourceOptions {
  /** The command's name, for its messages. */
  readonly name: string;
  /** The absolute path of the TypeScript entry to run. */
  readonly script: string;
  /** The arguments for the script; default `process.argv.slice(2)`. */
  readonly args?: readonly string[];
}

/** The folder of the package whose bin is at `binUrl` (a bin lives in `<package>/bin/`). */
export function packageDirOf(binUrl: string): string;

/** Whether `packageDir` is an installed copy (under node_modules) rather than a checkout. */
export function isInstalled(packageDir: string): boolean;

/** An installed package imports its build; a checkout runs its TypeScript source ({@link runSource}). */
export function launch(options: LaunchOptions): Promise<void>;

/**
 * Runs `script` in a child Node that strips types, resolving workspace
 * packages to their src/ (`--conditions=source`): the running Node when it
 * can, else the workspace's pinned `node_modules/.bin/node`. Hands SIGINT,
 * SIGTERM and SIGHUP to the child; the process exits with the child's code,
 * or re-raises the signal that ended it.
 */
export function runSource(options: RunSourceOptions): Promise<void>;
