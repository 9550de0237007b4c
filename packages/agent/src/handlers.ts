import { AgentError, AgentErrorCode } from './errors.ts';
import { ANY_PACKAGE, type InstallFunction, type PackageInstaller, type PackageInventory } from './packages.ts';
import type { Command, ConfigDocument, License } from './types.ts';

/** What a command handler gets besides the command. */
export interface CommandContext {
  /** Aborts when the agent stops: a handler that can stop early should. */
  readonly signal: AbortSignal;
  /** Reports progress (`in_progress` with a detail) while the command runs; best effort. */
  progress(detail: unknown): Promise<void>;
}

/** Carries out a command; what it returns is the `result` reported with `done`, and a throw reports `failed`. */
export type CommandFunction = (command: Command, context: CommandContext) => unknown;

/** A command handler, with what to do when the command was cut short by a restart. */
export interface CommandHandler {
  readonly execute: CommandFunction;
  /**
   * Called instead of `execute` for a command that was in progress when the
   * device went down (a reboot, a firmware update: 000 Initialisation).
   * Returns the result of `done`, or throws for `failed`. Default: `done`.
   */
  readonly finish?: CommandFunction;
  /** Stops a command the backend cancelled; `cancelled` is reported when it returns. Default: nothing to stop. */
  readonly cancel?: CommandFunction;
}

/** What an applier gets besides what it applies. */
export interface ApplyContext {
  readonly signal: AbortSignal;
}

/** Applies a configuration; a throw reports it `failed` with the message. */
export type ConfigApplier = (
  config: ConfigDocument['config'],
  context: ApplyContext & { readonly version: number },
) => unknown;

/** Applies one licence change; a throw leaves it (and the ones after it) unconfirmed until the next round. */
export type LicenseApplier = (license: License, context: ApplyContext) => unknown;

/** The name that catches every command without a handler of its own. */
export const ANY_COMMAND = '*';

/**
 * The device code the agent calls: command handlers by name, one
 * configuration applier, one licence applier, package installers by
 * package name and the package inventory. Device code fills it; several
 * agents may share one.
 */
export class Handlers {
  readonly #commands = new Map<string, CommandHandler>();
  #config: ConfigApplier | undefined;
  #license: LicenseApplier | undefined;
  #installers: Map<string, PackageInstaller> | undefined;
  #inventory: PackageInventory | undefined;

  /** Registers the handler of command `name` (`'*'`: every command without its own handler). */
  command(name: string, handler: CommandHandler | CommandFunction): this {
    if (typeof name !== 'string' || name === '') {
      throw new AgentError(AgentErrorCode.InvalidOption, 'Cannot register a command handler without a name', {
        details: { path: 'name', got: name },
      });
    }
    this.#commands.set(name, typeof handler === 'function' ? { execute: handler } : handler);
    return this;
  }

  /** Registers the configuration applier. Without one, every configuration is reported `failed`. */
  config(applier: ConfigApplier): this {
    this.#config = applier;
    return this;
  }

  /** Registers the licence applier. Without one, licences are confirmed as they come (holding one is applying it). */
  license(applier: LicenseApplier): this {
    this.#license = applier;
    return this;
  }

  /**
   * Registers the installer of package `name` (`'*'`: every package without
   * its own). Package commands (`exodm:install-package`…) go to installers,
   * unless a command handler of that exact command name is registered.
   */
  packageInstaller(name: string, installer: PackageInstaller | InstallFunction): this {
    if (typeof name !== 'string' || name === '') {
      throw new AgentError(AgentErrorCode.InvalidOption, 'Cannot register a package installer without a name', {
        details: { path: 'name', got: name },
      });
    }
    if (typeof installer !== 'function' && typeof installer?.install !== 'function') {
      throw new AgentError(AgentErrorCode.InvalidOption, `Cannot register the installer of ${name}: no install`, {
        details: { path: 'installer.install', expected: 'a function', got: installer },
      });
    }
    this.#installers ??= new Map();
    this.#installers.set(name, typeof installer === 'function' ? { install: installer } : installer);
    return this;
  }

  /**
   * Registers what tells the agent which packages the device runs (posted
   * after a restart an install needed). Default: the agent's own record of
   * what its installers installed.
   */
  packageInventory(inventory: PackageInventory): this {
    this.#inventory = inventory;
    return this;
  }

  /** The installer of a package name, else the `'*'` installer. */
  installerOf(name: string): PackageInstaller | undefined {
    return this.#installers?.get(name) ?? this.#installers?.get(ANY_PACKAGE);
  }

  get inventory(): PackageInventory | undefined {
    return this.#inventory;
  }

  /** True when command `name` has a handler of its own (not the `'*'` one). */
  hasOwnCommand(name: string): boolean {
    return this.#commands.has(name);
  }

  /** The handler of a command name, else the `'*'` handler. */
  commandHandler(name: string): CommandHandler | undefined {
    return this.#commands.get(name) ?? this.#commands.get(ANY_COMMAND);
  }

  get configApplier(): ConfigApplier | undefined {
    return this.#config;
  }

  get licenseApplier(): LicenseApplier | undefined {
    return this.#license;
  }
}
