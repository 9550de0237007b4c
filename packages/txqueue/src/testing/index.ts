// The engine suite every txqueue storage passes (imports vitest).
export {
  describeTxQueueEngine,
  type Harness,
  type RecordedEvent,
  type Setup,
  type StoreHandle,
  type TxQueueEngineOptions,
} from './engine-suite.ts';
