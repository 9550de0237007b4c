export { Assembler, type AcceptOutcome, type AssemblerOptions, type ByteRange } from './assembler.ts';
export { ChunkBitmap, type IndexRange } from './bitmap.ts';
export { verifyChunk } from './chunk-check.ts';
export {
  type EncodedChunk,
  type EncodeOptions,
  encodeImage,
  type FileRangeReader,
  type ImageFile,
  type ImageSource,
} from './encoder.ts';
export { ChunkedError, ChunkedErrorCode } from './errors.ts';
export {
  decodeFrame,
  encodeFrame,
  type Frame,
  FRAME_HEADER_BYTES,
  type FrameHeader,
  writeFrameHeader,
} from './frame.ts';
export {
  checkManifest,
  checkNotRollback,
  chunkCount,
  chunkDigest,
  chunkLength,
  type Manifest,
  type ManifestDependency,
  manifestId,
  transferTag,
} from './manifest.ts';
export {
  decodeManifest,
  encodeManifest,
  type ManifestJson,
  manifestFromJson,
  manifestToJson,
} from './manifest-codec.ts';
export { merkleRoot } from './merkle.ts';
export { createMemoryStorage } from './memory-storage.ts';
export {
  ed25519Signer,
  ed25519Verifier,
  openSignedManifest,
  type SignHook,
  signManifest,
  type VerifyHook,
} from './signature.ts';
export { type ChunkStorage, checkStorageKey } from './storage.ts';
export { type FetchMissingOptions, fetchMissing, rangeRequestHeaders, readRangeResponse } from './http-fetch.ts';
export { serveImage, type ServeImageOptions } from './http-serve.ts';
export { bytesImageReader, type ImageReader, storageImageReader } from './image-reader.ts';
