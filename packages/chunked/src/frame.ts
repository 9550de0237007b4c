import { ChunkedError, ChunkedErrorCode } from './errors.ts';

/** Bytes before the payload in a chunk frame. */
export const FRAME_HEADER_BYTES = 14;
const VERSION = 0x10;

/** The address of one chunk on a message transport. */
export interface FrameHeader {
  /** Which image: {@link transferTag} of the manifest, 8 bytes. */
  readonly tag: Uint8Array;
  /** log2 of the manifest's chunk size (CoAP's SZX idea, RFC 7959 §2.2, without its +4 offset). */
  readonly sizeExp: number;
  readonly index: number;
  /** True unless this is the image's last chunk (CoAP's M bit). */
  readonly more: boolean;
}

/** A decoded frame: header plus a view of its payload. */
export interface Frame extends FrameHeader {
  readonly payload: Uint8Array;
}

/**
 * Writes a frame header at `offset` of `target`:
 * `[0x10 | more] [sizeExp] [index u32 BE] [tag ×8]`, then the payload.
 */
export function writeFrameHeader(target: Uint8Array, offset: number, header: FrameHeader): void {
  if (header.tag.length !== 8)
    throw new ChunkedError(
      ChunkedErrorCode.InvalidArgument,
      `Cannot write a frame: the tag has ${header.tag.length} bytes, expected 8`,
    );
  if (!Number.isInteger(header.index) || header.index < 0 || header.index > 0xffffffff) {
    throw new ChunkedError(
      ChunkedErrorCode.InvalidArgument,
      `Cannot write a frame: index ${header.index} is not a 32-bit unsigned integer`,
    );
  }
  target[offset] = VERSION | (header.more ? 1 : 0);
  target[offset + 1] = header.sizeExp;
  new DataView(target.buffer, target.byteOffset + offset + 2, 4).setUint32(0, header.index);
  target.set(header.tag, offset + 6);
}

/** One chunk as a frame (copies the payload; the encoder lays frames out without copying). */
export function encodeFrame(header: FrameHeader, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, header);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Decodes a frame; the payload is a view of `bytes`. Throws `frame-invalid`. */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < FRAME_HEADER_BYTES) {
    throw new ChunkedError(
      ChunkedErrorCode.FrameInvalid,
      `Cannot decode a frame of ${bytes.length} bytes: the header alone has ${FRAME_HEADER_BYTES}`,
      {
        details: { expected: `at least ${FRAME_HEADER_BYTES} bytes`, got: bytes.length },
      },
    );
  }
  const first = bytes[0]!;
  if ((first & 0xfe) !== VERSION) {
    throw new ChunkedError(
      ChunkedErrorCode.FrameInvalid,
      `Cannot decode a frame starting 0x${first.toString(16)}: expected version 1 (0x10 or 0x11)`,
      {
        details: { expected: '0x10 or 0x11', got: first },
      },
    );
  }
  return {
    more: (first & 1) === 1,
    sizeExp: bytes[1]!,
    index: new DataView(bytes.buffer, bytes.byteOffset + 2, 4).getUint32(0),
    tag: bytes.subarray(6, 14),
    payload: bytes.subarray(FRAME_HEADER_BYTES),
  };
}
