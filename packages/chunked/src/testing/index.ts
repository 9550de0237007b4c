// Contract suites for code that implements chunked's ports (imports vitest).
export { type ChunkStorageSuiteContext, type ChunkStorageSuiteOptions, describeChunkStorage } from './storage-suite.ts';
