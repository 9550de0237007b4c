/** A package image as the encoder accepts it. */
export type ImageSource = Uint8Array | Blob | ReadableStream<Uint8Array>;

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
  /** In-memory sources only: a view of the next bytes (at most `length`, fewer only at the end), consumed without a copy. */
  readonly take?: (length: number) => Uint8Array;
}

/** A reader over any {@link ImageSource}. */
export function openSource(image: ImageSource): SourceReader {
  if (image instanceof Uint8Array) return bytesReader(image);
  if (image instanceof Blob) return streamReader(image.stream(), image.size);
  return streamReader(image, undefined);
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
  };
}
