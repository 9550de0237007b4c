import type { SqlExecutor } from '@fleetkit/core';
import { readChunks } from '../store/package-uploads.ts';

/** Chunks read from the database in one statement on a miss: a downloader asks for runs of them. */
const READ_AHEAD = 16;

/** Which image's chunks: the account and package that store them, the root that names the bytes. */
export interface ImageKey {
  readonly account: string;
  readonly package: string;
  /** The Merkle root in hex: a package's bytes never change, so it keys the cache. */
  readonly root: string;
  readonly chunks: number;
}

/**
 * The chunks devices fetch, kept in memory up to a byte budget, least
 * recently used first out. Packages are immutable, so nothing is ever stale;
 * a miss reads a run of chunks in one statement, and concurrent misses of
 * the same chunk share that read (a fleet fetches the same image at once).
 */
export class ChunkCache {
  readonly #db: SqlExecutor;
  readonly #budget: number;
  readonly #chunks = new Map<string, Uint8Array>();
  readonly #loading = new Map<string, Promise<void>>();
  #bytes = 0;

  constructor(db: SqlExecutor, budget: number) {
    this.#db = db;
    this.#budget = budget;
  }

  /** The chunk at `index`; undefined when the store does not hold it. `until` bounds the read-ahead. */
  async chunk(image: ImageKey, index: number, until: number): Promise<Uint8Array | undefined> {
    const key = `${image.root}:${index}`;
    const hit = this.#chunks.get(key);
    if (hit !== undefined) {
      this.#chunks.delete(key);
      this.#chunks.set(key, hit);
      return hit;
    }
    const loading = this.#loading.get(key);
    if (loading !== undefined) {
      await loading;
      return this.#chunks.get(key) ?? (await this.#read(image, index, index + 1)).get(index);
    }
    return (await this.#read(image, index, Math.min(until, index + READ_AHEAD, image.chunks))).get(index);
  }

  async #read(image: ImageKey, from: number, to: number): Promise<Map<number, Uint8Array>> {
    const key = (index: number): string => `${image.root}:${index}`;
    let last = from + 1;
    while (last < to && !this.#chunks.has(key(last)) && !this.#loading.has(key(last))) last++;
    const got = new Map<number, Uint8Array>();
    const read = readChunks(this.#db, image.account, { name: image.package, from, to: last }).then((rows) => {
      for (const row of rows) {
        got.set(row.index, row.bytes);
        this.#keep(key(row.index), row.bytes);
      }
    });
    const settled = read.finally(() => {
      for (let i = from; i < last; i++) this.#loading.delete(key(i));
    });
    for (let i = from; i < last; i++) this.#loading.set(key(i), settled);
    await settled;
    return got;
  }

  #keep(key: string, bytes: Uint8Array): void {
    if (this.#budget === 0 || bytes.length > this.#budget || this.#chunks.has(key)) return;
    this.#chunks.set(key, bytes);
    this.#bytes += bytes.length;
    for (const [oldest, value] of this.#chunks) {
      if (this.#bytes <= this.#budget) break;
      this.#chunks.delete(oldest);
      this.#bytes -= value.length;
    }
  }
}
