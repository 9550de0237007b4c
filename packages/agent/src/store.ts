import { isObject } from './_internal/replies.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import type { AuthData } from './types.ts';

/** A command the device started: what tells it, after a restart, that the command may have reset it. */
export interface InProgressCommand {
  readonly id: string;
  readonly name: string;
}

/** What an agent persists: the "Auth data" of 000 and what it must remember across a restart. */
export interface AgentState {
  /** Absent until the device registers, and again once the server refused the credentials (401/403). */
  readonly auth?: AuthData;
  /** The configuration version the device applied last (fetch only newer ones). */
  readonly configVersion: number;
  /** The command being carried out, written before it starts and cleared once its outcome is reported. */
  readonly inProgress?: InProgressCommand;
}

/** The state of a device that never registered. */
export const EMPTY_STATE: AgentState = { configVersion: 0 };

/**
 * Where an agent keeps its state. `save` resolves only once the state would
 * survive a power cut (the file adapter writes, fsyncs and renames), so a
 * device never acts on credentials or a started command it could forget.
 */
export interface AgentStore {
  /** The saved state; undefined when nothing was saved. Throws `state-invalid` for unreadable contents. */
  load(): Promise<AgentState | undefined>;
  save(state: AgentState): Promise<void>;
}

function isAuth(value: unknown): value is AuthData {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.accessKey === 'string' &&
    typeof value.hubUrl === 'string'
  );
}

/** Checks a stored value (a parsed file, say) and returns it as a state; throws `state-invalid`. */
export function parseAgentState(value: unknown): AgentState {
  const fail = (why: string): never => {
    throw new AgentError(AgentErrorCode.StateInvalid, `Cannot read the agent state: ${why}`, {
      details: { got: value },
    });
  };
  if (!isObject(value)) return fail('not an object');
  const { auth, configVersion, inProgress } = value;
  if (auth !== undefined && !isAuth(auth)) return fail('auth is not {id, accessKey, hubUrl}');
  if (typeof configVersion !== 'number' || !Number.isSafeInteger(configVersion) || configVersion < 0) {
    return fail('configVersion is not a non-negative integer');
  }
  if (
    inProgress !== undefined &&
    !(isObject(inProgress) && typeof inProgress.id === 'string' && typeof inProgress.name === 'string')
  ) {
    return fail('inProgress is not {id, name}');
  }
  return {
    ...(auth === undefined ? {} : { auth: { id: auth.id, accessKey: auth.accessKey, hubUrl: auth.hubUrl } }),
    configVersion,
    ...(inProgress === undefined
      ? {}
      : { inProgress: { id: inProgress.id as string, name: inProgress.name as string } }),
  };
}

/** A store in memory: a new agent given the same store after a simulated restart finds what the last one saved. */
export class MemoryStore implements AgentStore {
  #state: AgentState | undefined;

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
}

/** A new {@link MemoryStore}. */
export function memoryStore(initial?: AgentState): MemoryStore {
  return new MemoryStore(initial);
}
