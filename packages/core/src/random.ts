/** Randomness as engines see it; injected so tests can replay a seed. */
export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** An RFC 9562 version 4 UUID. */
  uuid(): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function uuidFromBytes(b: Uint8Array): string {
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i] ?? 0];
  }
  return s;
}

function intFromFloat(r: Random, maxExclusive: number): number {
  return Math.floor(r.float() * maxExclusive);
}

/** Randomness from `crypto.getRandomValues` (every runtime has it). */
export const cryptoRandom: Random = {
  bytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  float() {
    const w = crypto.getRandomValues(new Uint32Array(2));
    // 53 random bits → [0, 1) without bias
    return ((w[0]! >>> 5) * 67108864 + (w[1]! >>> 6)) / 9007199254740992;
  },
  int(maxExclusive) {
    return intFromFloat(cryptoRandom, maxExclusive);
  },
  uuid: () => crypto.randomUUID(),
};

/**
 * Deterministic randomness for tests and benchmarks (sfc32): the same seed
 * gives the same sequence on every runtime. Never use it for secrets.
 */
export class SeededRandom implements Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.#next();
  }

  #next(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#next() & 0xff;
    return out;
  }

  float(): number {
    return ((this.#next() >>> 5) * 67108864 + (this.#next() >>> 6)) / 9007199254740992;
  }

  int(maxExclusive: number): number {
    return intFromFloat(this, maxExclusive);
  }

  uuid(): string {
    return uuidFromBytes(this.bytes(16));
  }
}
