// `@fleetkit/chunked/fs`: the node:fs adapters (Node, Bun and Deno all provide node:fs).
export { createFsStorage, type FsStorageOptions } from './fs-storage.ts';
export { type FileRangeReader, type ImageFile, openImageFile } from './image-file.ts';
