import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkStorage } from '@fleetkit/chunked';
import { createFsStorage } from '@fleetkit/chunked/fs';
import { AgentError, AgentErrorCode } from '../errors.ts';
import { type AgentState, type AgentStore, parseAgentState } from '../store.ts';

/** The file a {@link FileStore} keeps its state in, inside its directory. */
export const STATE_FILE = 'agent-state.json';
/** The folder of a {@link FileStore} holding package chunks, one sub-folder per image. */
export const CHUNKS_FOLDER = 'packages';

/**
 * An agent's state in one JSON file of a directory, written so that a power
 * cut leaves either the old state or the new one: the new text goes to a
 * temporary file, which is fsynced and renamed over the old one, and the
 * directory is fsynced so the rename itself is on disk. Package chunks and
 * their resume bitmaps go to `packages/` the same way (chunked's file
 * storage). One agent per directory.
 */
export class FileStore implements AgentStore {
  readonly directory: string;
  readonly #file: string;
  readonly #temporary: string;
  /** Saves run one after another, so a late one never overwrites a newer state. */
  #last: Promise<void> = Promise.resolve();
  #chunks: ChunkStorage | undefined;

  constructor(directory: string) {
    this.directory = directory;
    this.#file = join(directory, STATE_FILE);
    this.#temporary = join(directory, `${STATE_FILE}.tmp`);
  }

  async load(): Promise<AgentState | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new AgentError(AgentErrorCode.StateInvalid, `Cannot read the agent state in ${this.#file}: not JSON`, {
        cause,
        details: { file: this.#file },
      });
    }
    return parseAgentState(value);
  }

  save(state: AgentState): Promise<void> {
    const run = this.#last.then(
      () => this.#write(state),
      () => this.#write(state),
    );
    this.#last = run.catch(() => undefined);
    return run;
  }

  /** Package chunks in `<directory>/packages/<root>/`, each written, fsynced and renamed into place. */
  chunks(): ChunkStorage {
    this.#chunks ??= createFsStorage({ dir: join(this.directory, CHUNKS_FOLDER), durable: true });
    return this.#chunks;
  }

  async #write(state: AgentState): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const handle = await open(this.#temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.#temporary, this.#file);
    await syncDirectory(this.directory);
  }
}

/** fsync of a directory, which makes a rename in it durable (POSIX); platforms that refuse it have no such need. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** A {@link FileStore} in `directory` (created on the first save). */
export function fileStore(directory: string): FileStore {
  return new FileStore(directory);
}
