import { type ChunkStorage, createMemoryStorage } from '@fleetkit/chunked';
import { isObject } from './_internal/replies.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import type { AuthData } from './types.ts';

/** A command the device started: what tells it, after a restart, that the command may have reset it. */
export interface InProgressCommand {
  readonly id: string;
  readonly name: string;
  /** A package operation past its transfer. */
  readonly package?: PackageProgress;
}

/** How far a package operation got: what a restarted agent carries on from. */
export interface PackageProgress {
  /**
   * `install`: the installer was called; `reboot`: installed and reported,
   * waiting for the restart that takes it into use.
   */
  readonly stage: 'install' | 'reboot';
  readonly name: string;
  readonly version: string;
  /** An upgrade's old package, which the new one replaces. */
  readonly from?: string;
  /** The signed manifest's anti-rollback number, recorded with the package once it runs. */
  readonly sequence?: number;
}

/** What an agent persists: the "Auth data" of 000 and what it must remember across a restart. */
export interface AgentState {
  /** Absent until the device registers, and again once the server refused the credentials (401/403). */
  readonly auth?: AuthData;
  /** The configuration version the device applied last (fetch only newer ones). */
  readonly configVersion: number;
  /** The command being carried out, written before it starts and cleared once its outcome is reported. */
  readonly inProgress?: InProgressCommand;
  /** The server's package-signing key (Ed25519, base64), pinned the first time the device needed it. */
  readonly packageKey?: string;
  /** What the device's installers installed, name → version: the inventory when device code gives none. */
  readonly packages?: Readonly<Record<string, string>>;
  /**
   * The manifest sequence (anti-rollback number) of each installed package,
   * name → sequence: a manifest below it, or below the one of the package it
   * upgrades, is refused.
   */
  readonly packageSequences?: Readonly<Record<string, number>>;
}

/** The state of a device that never registered. */
export const EMPTY_STATE: AgentState = { configVersion: 0 };

/**
 * The state a device keeps when its registration goes (a 401, a new
 * registration): the commands and configuration of the old one go with it,
 * but the server's pinned package key and the packages the device runs
 * (with their sequences) stay.
 */
export function withoutRegistration(state: AgentState): AgentState {
  return {
    ...EMPTY_STATE,
    ...(state.packageKey === undefined ? {} : { packageKey: state.packageKey }),
    ...(state.packages === undefined ? {} : { packages: state.packages }),
    ...(state.packageSequences === undefined ? {} : { packageSequences: state.packageSequences }),
  };
}

/**
 * Where an agent keeps its state. `save` resolves only once the state would
 * survive a power cut (the file adapter writes, fsyncs and renames), so a
 * device never acts on credentials or a started command it could forget.
 */
export interface AgentStore {
  /** The saved state; undefined when nothing was saved. Throws `state-invalid` for unreadable contents. */
  load(): Promise<AgentState | undefined>;
  save(state: AgentState): Promise<void>;
  /**
   * Where package chunks and their resume bitmaps live, as durable as the
   * state. Default (a store without it): memory of the agent, so a transfer
   * resumes after a lost connection but not after a restart.
   */
  chunks?(): ChunkStorage;
}

function isAuth(value: unknown): value is AuthData {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.accessKey === 'string' &&
    typeof value.hubUrl === 'string'
  );
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function progressOf(value: unknown): PackageProgress | undefined | false {
  if (value === undefined) return undefined;
  if (!isObject(value) || (value.stage !== 'install' && value.stage !== 'reboot')) return false;
  if (!isText(value.name) || !isText(value.version) || !(value.from === undefined || isText(value.from))) return false;
  if (!(value.sequence === undefined || isSequence(value.sequence))) return false;
  return {
    stage: value.stage,
    name: value.name,
    version: value.version,
    ...(value.from === undefined ? {} : { from: value.from }),
    ...(value.sequence === undefined ? {} : { sequence: value.sequence }),
  };
}

function inProgressOf(value: unknown): InProgressCommand | undefined | false {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value.id !== 'string' || typeof value.name !== 'string') return false;
  const progress = progressOf(value.package);
  if (progress === false) return false;
  return { id: value.id, name: value.name, ...(progress === undefined ? {} : { package: progress }) };
}

function packagesOf(value: unknown): Record<string, string> | undefined | false {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every(isText)) return false;
  return { ...(value as Record<string, string>) };
}

function sequencesOf(value: unknown): Record<string, number> | undefined | false {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every(isSequence)) return false;
  return { ...(value as Record<string, number>) };
}

/** Checks a stored value (a parsed file, say) and returns it as a state; throws `state-invalid`. */
export function parseAgentState(value: unknown): AgentState {
  const fail = (why: string): never => {
    throw new AgentError(AgentErrorCode.StateInvalid, `Cannot read the agent state: ${why}`, {
      details: { got: value },
    });
  };
  if (!isObject(value)) return fail('not an object');
  const { auth, configVersion, packageKey } = value;
  if (auth !== undefined && !isAuth(auth)) return fail('auth is not {id, accessKey, hubUrl}');
  if (typeof configVersion !== 'number' || !Number.isSafeInteger(configVersion) || configVersion < 0) {
    return fail('configVersion is not a non-negative integer');
  }
  const inProgress = inProgressOf(value.inProgress);
  if (inProgress === false) {
    return fail('inProgress is not {id, name, package?: {stage, name, version, from?, sequence?}}');
  }
  if (packageKey !== undefined && !isText(packageKey)) return fail('packageKey is not text');
  const packages = packagesOf(value.packages);
  if (packages === false) return fail('packages is not {name: version}');
  const packageSequences = sequencesOf(value.packageSequences);
  if (packageSequences === false) return fail('packageSequences is not {name: non-negative integer}');
  return {
    ...(auth === undefined ? {} : { auth: { id: auth.id, accessKey: auth.accessKey, hubUrl: auth.hubUrl } }),
    configVersion,
    ...(inProgress === undefined ? {} : { inProgress }),
    ...(packageKey === undefined ? {} : { packageKey }),
    ...(packages === undefined ? {} : { packages }),
    ...(packageSequences === undefined ? {} : { packageSequences }),
  };
}

/** A store in memory: a new agent given the same store after a simulated restart finds what the last one saved. */
export class MemoryStore implements AgentStore {
  #state: AgentState | undefined;
  #chunks: ChunkStorage | undefined;

  constructor(initial?: AgentState) {
    this.#state = initial;
  }

  /** The state saved last. */
  get state(): AgentState | undefined {
    return this.#state;
  }

  async load(): Promise<AgentState | undefined> {
    return this.#state;
  }

  async save(state: AgentState): Promise<void> {
    this.#state = state;
  }

  /** Package chunks in memory, made on first use (an idle device holds none). */
  chunks(): ChunkStorage {
    this.#chunks ??= createMemoryStorage();
    return this.#chunks;
  }
}

/** A new {@link MemoryStore}. */
export function memoryStore(initial?: AgentState): MemoryStore {
  return new MemoryStore(initial);
}
