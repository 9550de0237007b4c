import { ChunkedError, ChunkedErrorCode } from './errors.ts';

/** A run of chunk indexes, `start` included, `end` excluded. */
export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Which chunks a receiver holds, one bit per chunk (bit `i` is bit `i % 8`
 * of byte `i >> 3`), after AWS GetStream's missing-block bitmap
 * (docs/sources.md, Chunked transfer prior art). Its bytes are the resume state.
 */
export class ChunkBitmap {
  readonly size: number;
  readonly #bits: Uint8Array;
  #count = 0;

  constructor(size: number, bits?: Uint8Array) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ChunkedError(
        ChunkedErrorCode.InvalidArgument,
        `Cannot create a bitmap of ${size} chunks: expected a non-negative integer`,
      );
    }
    this.size = size;
    const bytes = Math.ceil(size / 8);
    if (
      bits !== undefined &&
      (bits.length !== bytes || (size % 8 !== 0 && bytes > 0 && bits[bytes - 1]! >> (size % 8) !== 0))
    ) {
      throw new ChunkedError(
        ChunkedErrorCode.StateInvalid,
        `Cannot restore a bitmap of ${size} chunks from ${bits.length} bytes`,
        {
          details: {
            path: 'state.bits',
            expected: `${bytes} bytes with no bit past chunk ${size - 1}`,
            got: `${bits.length} bytes`,
          },
        },
      );
    }
    this.#bits = bits === undefined ? new Uint8Array(bytes) : new Uint8Array(bits);
    for (const b of this.#bits) this.#count += popcount(b);
  }

  /** Chunks marked received. */
  get count(): number {
    return this.#count;
  }

  /** True when every chunk is marked. */
  get complete(): boolean {
    return this.#count === this.size;
  }

  has(index: number): boolean {
    return (this.#bits[index >> 3]! & (1 << (index & 7))) !== 0;
  }

  /** Marks a chunk; returns false when it was marked already. */
  set(index: number): boolean {
    if (this.has(index)) return false;
    this.#bits[index >> 3]! |= 1 << (index & 7);
    this.#count++;
    return true;
  }

  /** Unmarks a chunk (one found corrupt in storage on resume). */
  clear(index: number): void {
    if (!this.has(index)) return;
    this.#bits[index >> 3]! &= ~(1 << (index & 7));
    this.#count--;
  }

  /** The unmarked chunks as ascending runs. */
  missing(): IndexRange[] {
    const ranges: IndexRange[] = [];
    let start = -1;
    for (let i = 0; i < this.size; i++) {
      // a whole byte of received chunks is skipped at once
      if (start < 0 && (i & 7) === 0 && this.#bits[i >> 3] === 0xff) {
        i += 7;
        continue;
      }
      if (!this.has(i)) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        ranges.push({ start, end: i });
        start = -1;
      }
    }
    if (start >= 0) ranges.push({ start, end: this.size });
    return ranges;
  }

  /** A copy of the bits, for saving. */
  toBytes(): Uint8Array {
    return new Uint8Array(this.#bits);
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b !== 0; b &= b - 1) n++;
  return n;
}
