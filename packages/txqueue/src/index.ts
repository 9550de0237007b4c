export { type StdCallback, toCallback } from './callback.ts';
export { TxQueueError, TxQueueErrorCode } from './errors.ts';
export { openTxQueue, TxQueue } from './queue.ts';
export { type FailureStatus, failureStatuses, StatusCode, statusString } from './status.ts';
export { memoryStorage } from './storage.ts';
export type {
  AckInput,
  AckOutcome,
  AckRejection,
  AckStatus,
  CallInOptions,
  Delivery,
  EnqueueInput,
  EnqueueResult,
  EventBacklog,
  FailingEvent,
  GroupCounts,
  GroupResolver,
  MemberRef,
  PushOptions,
  StagedUpdate,
  Target,
  Transaction,
  TxEvent,
  TxEventHandler,
  TxEventType,
  TxKind,
  TxQueueOptions,
  TxState,
  WorkHandler,
} from './types.ts';
