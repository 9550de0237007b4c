export { type AcceptOutcome, Assembler, type AssemblerOptions, type ByteRange } from './assembler.ts';
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
  FRAME_HEADER_BYTES,
  type Frame,
  type FrameHeader,
  writeFrameHeader,
} from './frame.ts';
export { type FetchMissingOptions, fetchMissing, rangeRequestHeaders, readRangeResponse } from './http-fetch.ts';
export { type ServeImageOptions, serveImage } from './http-serve.ts';
export { bytesImageReader, type ImageReader, storageImageReader } from './image-reader.ts';
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
export { createMemoryStorage } from './memory-storage.ts';
export { merkleRoot } from './merkle.ts';
export {
  ed25519Signer,
  ed25519Verifier,
  openSignedManifest,
  type SignHook,
  signManifest,
  type VerifyHook,
} from './signature.ts';
export { type ChunkStorage, checkStorageKey } from './storage.ts';
