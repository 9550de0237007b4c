// Contract suites for code that implements chunked's ports (imports vitest).

export { seededImage } from './image.ts';
export { type ChunkStorageSuiteContext, type ChunkStorageSuiteOptions, describeChunkStorage } from './storage-suite.ts';
