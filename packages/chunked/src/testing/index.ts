// Contract suites for code that implements chunked's ports (imports vitest).
// seededImage is also its own entry, @fleetkit/chunked/testing/image, for code
// that runs outside vitest (the conformance runner).

export { seededImage } from './image.ts';
export { type ChunkStorageSuiteContext, type ChunkStorageSuiteOptions, describeChunkStorage } from './storage-suite.ts';
