/** A package image as the encoder accepts it. */
export type ImageSource = Uint8Array | Blob | ReadableStream<Uint8Array> | ImageFile;

/**
 * An image in a file (`openImageFile` from `@fleetkit/chunked/fs` makes one).
 * On the pool each worker opens it by path and reads its own byte ranges, so
 * the calling thread never touches the image's bytes: a file-backed `Blob`
 * cannot be posted to a worker on Node or Deno ("File-backed Blobs are not
 * cloneable"), a path can.
 */
export interface ImageFile {
  /** Absolute path that a worker thread opens with node:fs. */
  readonly path: string;
  /** Bytes the file had when opened; reading a different size is `source-size-mismatch`. */
  readonly size: number;
  /** Opens the file for reads on the calling thread (the in-thread path). */
  open(): Promise<FileRangeReader>;
}

/** Positional reads of an {@link ImageFile} on the calling thread. */
export interface FileRangeReader {
  /** Reads into `target` from byte `position` of the file; fewer bytes only at its end. */
  read(target: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

/** True for an {@link ImageFile} (not bytes, a Blob or a stream). */
export function isImageFile(image: ImageSource): image is ImageFile {
  return !(image instanceof Uint8Array || image instanceof Blob || image instanceof ReadableStream);
}

/** Sequential reader over an image that never buffers more than one pending piece. */
export interface SourceReader {
  /** Size when the source knows it (bytes, Blob), else undefined (stream). */
  readonly size: number | undefined;
  /** Copies the next bytes into `target`; fewer than its length only at the end. */
  fill(target: Uint8Array): Promise<number>;
  /** True when no byte is left. */
  atEnd(): Promise<boolean>;
  /** Releases the underlying stream early. */
  cancel(reason: unknown): Promise<void>;
  /** Releases what the reader holds (a file handle) after the last read. */
  close(): Promise<void>;
  /** In-memory sources only: a view of the next bytes (at most `length`, fewer only at the end), consumed without a copy. */
  readonly take?: (length: number) => Uint8Array;
}

/** A reader over any {@link ImageSource}. */
export function openSource(image: ImageSource): SourceReader {
  if (image instanceof Uint8Array) return bytesReader(image);
  if (image instanceof Blob) return streamReader(image.stream(), image.size);
  if (image instanceof ReadableStream) return streamReader(image, undefined);
  return fileReader(image);
}

// In order through positional reads. Small targets (chunks under 256 KiB)
// are served from 1 MiB reads into a buffer of the reader's own, so a small
// chunk costs a copy, not an asynchronous read. At the declared end it asks
// for one more byte, so a file that grew since it was opened fails the size check.
const BLOCK = 1 << 20;

function fileReader(file: ImageFile): SourceReader {
  let opened: Promise<FileRangeReader> | undefined;
  const reader = (): Promise<FileRangeReader> => (opened ??= file.open());
  let at = 0;
  let done = false;
  let block: Uint8Array | undefined;
  let blockAt = 0;
  let blockLength = 0;
  const probe = new Uint8Array(1);
  const readAt = async (target: Uint8Array): Promise<number> => {
    if (target.length >= BLOCK / 4) return (await reader()).read(target, at);
    let n = 0;
    while (n < target.length) {
      if (at + n < blockAt || at + n >= blockAt + blockLength) {
        block ??= new Uint8Array(BLOCK);
        blockAt = at + n;
        blockLength = await (await reader()).read(block, blockAt);
        if (blockLength === 0) break;
      }
      const from = at + n - blockAt;
      const take = Math.min(target.length - n, blockLength - from);
      target.set(block!.subarray(from, from + take), n);
      n += take;
    }
    return n;
  };
  return {
    size: file.size,
    async fill(target) {
      const n = done ? 0 : await readAt(target);
      at += n;
      if (n < target.length) done = true;
      return n;
    },
    async atEnd() {
      if (done) return true;
      if (at < file.size) return false;
      done = (await (await reader()).read(probe, at)) === 0;
      return done;
    },
    cancel: close,
    close,
  };
  async function close(): Promise<void> {
    const closing = opened;
    opened = undefined;
    if (closing !== undefined) await (await closing).close();
  }
}

function bytesReader(bytes: Uint8Array): SourceReader {
  let at = 0;
  return {
    size: bytes.length,
    async fill(target) {
      const n = Math.min(target.length, bytes.length - at);
      target.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
    async atEnd() {
      return at === bytes.length;
    },
    async cancel() {},
    async close() {},
    take(length) {
      const view = bytes.subarray(at, at + length);
      at += view.length;
      return view;
    },
  };
}

function streamReader(stream: ReadableStream<Uint8Array>, size: number | undefined): SourceReader {
  const reader = stream.getReader();
  let piece: Uint8Array = new Uint8Array(0);
  let done = false;
  const next = async (): Promise<boolean> => {
    while (piece.length === 0 && !done) {
      const read = await reader.read();
      if (read.done) done = true;
      else piece = read.value;
    }
    return piece.length > 0;
  };
  return {
    size,
    async fill(target) {
      let n = 0;
      while (n < target.length && (await next())) {
        const take = Math.min(target.length - n, piece.length);
        target.set(piece.subarray(0, take), n);
        piece = piece.subarray(take);
        n += take;
      }
      return n;
    },
    async atEnd() {
      return !(await next());
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
    async close() {},
  };
}
