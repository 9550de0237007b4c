/** What leafref checks ask of a set of target values. */
export interface KeyValues {
  has(value: string): boolean;
}

// Seeded per process, so that a document crafted against one process's hash
// does not make every key collide in another. Math.random, not
// crypto.getRandomValues: on Node the first use of the `crypto` global loads
// WebCrypto and streams, which a CLI run must not wait for
// (docs/decisions/yang-006-cli-start-up.md). The seed need not be secret:
// a partition far above its share (keys crafted to collide by someone who
// guessed it) is decided with a Set instead, whose hash V8 seeds itself.
const SEED = (Math.random() * 0x1_0000_0000) | 0;

/** FNV-1a over UTF-16 code units, seeded, with a final mix so the high bits (the partition) depend on every character. */
export function hashOf(value: string): number {
  let hash = SEED ^ 0x811c9dc5;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

/** Values appended with their hashes, in two parallel arrays that grow by doubling. */
class HashedValues {
  hashes: Int32Array;
  // sized up front like `hashes`: an array grown by push is copied at every doubling
  values: string[];
  count = 0;

  constructor(expected: number) {
    this.hashes = new Int32Array(Math.max(16, expected));
    this.values = new Array<string>(this.hashes.length);
  }

  add(value: string): void {
    if (this.count === this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
      this.values.length = grown.length;
    }
    this.hashes[this.count] = hashOf(value);
    this.values[this.count++] = value;
  }
}

/** Values of `from` grouped by the top `bits` of their hash; `starts[p]` … `starts[p + 1]` is partition p. */
interface Partitioned {
  readonly hashes: Int32Array;
  readonly values: string[];
  readonly starts: Int32Array;
}

function partition(from: HashedValues, bits: number): Partitioned {
  const count = from.count;
  const parts = 1 << bits;
  const shift = 32 - bits;
  const starts = new Int32Array(parts + 1);
  const sourceHashes = from.hashes;
  if (bits === 0) {
    // one partition: the values as appended (a shift by 32 would be a shift by 0)
    starts[1] = count;
    return { hashes: sourceHashes, values: from.values, starts };
  }
  for (let i = 0; i < count; i++) starts[(sourceHashes[i]! >>> shift) + 1]!++;
  for (let part = 0; part < parts; part++) starts[part + 1]! += starts[part]!;
  const next = starts.slice(0, parts);
  const hashes = new Int32Array(count);
  const values = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const hash = sourceHashes[i]!;
    const target = next[hash >>> shift]!++;
    hashes[target] = hash;
    values[target] = from.values[i]!;
  }
  return { hashes, values, starts };
}

// Keys per partition: the partition's probe table (4 bytes a slot, at most
// half full) and its keys then sit in L1/L2 while it is matched.
const KEYS_PER_PARTITION = 512;
// A partition this many times its share does not happen by chance with a
// mixed hash; it means keys crafted to collide, which would make linear
// probing quadratic.
const CRAFTED_FACTOR = 8;

/**
 * The key values of one single-key list and the early leafref values that
 * must be among them (validate/early.ts), decided together when the list
 * ends: the keys are distinct and every reference is one of them.
 *
 * A `Set` filled and probed entry by entry makes a random access into a
 * table as large as the list for every key and every reference; for a large
 * list that table does not fit in cache and those accesses set the speed
 * (docs/decisions/yang-004-key-index.md). Here values are appended with their
 * hash while their characters are still in cache from the type check, and
 * the end of the list partitions both sides by hash into pieces that fit in
 * cache and matches each piece: a radix-partitioned hash join.
 */
export class KeyIndex implements KeyValues {
  readonly #keys: HashedValues;
  readonly #references: HashedValues;
  #set: Set<string> | undefined;
  #decidedBySet = false;

  /** Sizes from the list's length; `expectedReferences` is 0 for a list without early leafrefs (nothing allocated for them). */
  constructor(expectedKeys: number, expectedReferences: number) {
    this.#keys = new HashedValues(expectedKeys);
    this.#references = new HashedValues(expectedReferences);
  }

  addKey(value: string): void {
    this.#keys.add(value);
  }

  addReference(value: string): void {
    this.#references.add(value);
  }

  /** True when the keys are pairwise distinct and every reference is a key. */
  settle(): boolean {
    const keyCount = this.#keys.count;
    const bits = keyCount <= KEYS_PER_PARTITION ? 0 : Math.min(16, Math.ceil(Math.log2(keyCount / KEYS_PER_PARTITION)));
    const keys = partition(this.#keys, bits);
    const references = partition(this.#references, bits);
    let largest = 0;
    for (let part = 0; part + 1 < keys.starts.length; part++)
      largest = Math.max(largest, keys.starts[part + 1]! - keys.starts[part]!);
    this.#decidedBySet = bits > 0 && largest > CRAFTED_FACTOR * KEYS_PER_PARTITION;
    if (this.#decidedBySet) return this.#settleWithSet();
    let capacity = 16;
    while (capacity < largest * 2) capacity *= 2;
    const slots = new Int32Array(capacity);
    for (let part = 0; part + 1 < keys.starts.length; part++) {
      const keyStart = keys.starts[part]!;
      const keyEnd = keys.starts[part + 1]!;
      let size = 16;
      while (size < (keyEnd - keyStart) * 2) size *= 2;
      slots.fill(0, 0, size);
      if (!insertAll(keys, keyStart, keyEnd, slots, size - 1)) return false;
      if (!findAll(keys, references, references.starts[part]!, references.starts[part + 1]!, slots, size - 1))
        return false;
    }
    return true;
  }

  /** Whether `value` is a key; the first call builds a `Set` (other leafrefs into this list, validate/constraints.ts). */
  has(value: string): boolean {
    this.#set ??= new Set(this.#keys.values.slice(0, this.#keys.count));
    return this.#set.has(value);
  }

  /** Whether the last `settle()` found keys crafted to collide and decided with a `Set`. */
  get decidedBySet(): boolean {
    return this.#decidedBySet;
  }

  /** `settle()` by a `Set` of the keys: no partitions, no probing. */
  #settleWithSet(): boolean {
    const keys = this.#keys;
    const set = new Set<string>();
    for (let i = 0; i < keys.count; i++) {
      const value = keys.values[i]!;
      if (set.has(value)) return false;
      set.add(value);
    }
    this.#set = set;
    const references = this.#references;
    for (let i = 0; i < references.count; i++) if (!set.has(references.values[i]!)) return false;
    return true;
  }
}

/** Inserts keys `start`…`end` (slot value = key index + 1); false on a repeated key. */
function insertAll(keys: Partitioned, start: number, end: number, slots: Int32Array, mask: number): boolean {
  const { hashes, values } = keys;
  for (let i = start; i < end; i++) {
    const hash = hashes[i]!;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) {
        slots[slot] = i + 1;
        break;
      }
      if (hashes[entry - 1] === hash && values[entry - 1] === values[i]) return false;
      slot = (slot + 1) & mask;
    }
  }
  return true;
}

/** Looks up references `start`…`end` among the inserted keys; false at the first one missing. */
function findAll(
  keys: Partitioned,
  references: Partitioned,
  start: number,
  end: number,
  slots: Int32Array,
  mask: number,
): boolean {
  const { hashes, values } = keys;
  for (let i = start; i < end; i++) {
    const hash = references.hashes[i]!;
    const value = references.values[i]!;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return false;
      if (hashes[entry - 1] === hash && values[entry - 1] === value) break;
      slot = (slot + 1) & mask;
    }
  }
  return true;
}
