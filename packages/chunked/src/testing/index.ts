// Contract suites for code that implements chunked's ports (imports vitest).
export { describeChunkStorage } from './storage-suite.ts';
