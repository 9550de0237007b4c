import { Packr } from 'msgpackr';
import { ChunkBitmap } from '../bitmap.ts';
import { ChunkedError, ChunkedErrorCode } from '../errors.ts';
import { equalBytes, toHex } from './hex.ts';

const packr = new Packr({ useRecords: false, bundleStrings: false });
const FORMAT = 1;

/** The saved resume state: `[1, Merkle root, chunk count, bitmap bytes]`. */
export function encodeState(root: Uint8Array, bitmap: ChunkBitmap): Uint8Array {
  return new Uint8Array(packr.pack([FORMAT, root, bitmap.size, bitmap.toBytes()]));
}

/** Restores a bitmap, refusing state of another manifest with `state-invalid`. */
export function decodeState(bytes: Uint8Array, root: Uint8Array, count: number): ChunkBitmap {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (cause) {
    throw stateInvalid('MessagePack', `${bytes.length} undecodable bytes`, cause);
  }
  if (!Array.isArray(value) || value.length !== 4 || value[0] !== FORMAT)
    throw stateInvalid(`[${FORMAT}, root, count, bits]`, 'another shape');
  const [, savedRoot, savedCount, bits] = value as unknown[];
  if (!(savedRoot instanceof Uint8Array) || !equalBytes(savedRoot, root)) {
    throw stateInvalid(
      `state of manifest ${toHex(root)}`,
      savedRoot instanceof Uint8Array ? `state of manifest ${toHex(savedRoot)}` : 'no root',
    );
  }
  if (savedCount !== count || !(bits instanceof Uint8Array))
    throw stateInvalid(`a bitmap of ${count} chunks`, `${String(savedCount)} chunks`);
  return new ChunkBitmap(count, bits);
}

function stateInvalid(expected: string, got: string, cause?: unknown): ChunkedError {
  return new ChunkedError(
    ChunkedErrorCode.StateInvalid,
    `Cannot resume from saved state: expected ${expected}, got ${got}`,
    {
      ...(cause === undefined ? {} : { cause }),
      details: { path: 'state', expected, got },
    },
  );
}
