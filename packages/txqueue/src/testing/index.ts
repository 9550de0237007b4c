// The engine suite every txqueue storage passes (imports vitest).
export { describeTxQueueEngine, type StoreHandle } from './engine-suite.ts';
