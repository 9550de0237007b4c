export { type Clock, sleep, systemClock, type TimerHandle } from './clock.ts';
export { CoreError, CoreErrorCode, type ErrorJson, FleetkitError, type FleetkitErrorOptions } from './errors.ts';
export {
  createLogger,
  jsonLineSink,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogRecord,
  type LogSink,
  memoryLogger,
  silentLogger,
} from './logger.ts';
export { ManualClock, type ManualClockOptions } from './manual-clock.ts';
export { InThreadPool } from './pool/in-thread.ts';
export type { RunOptions, WorkerPool } from './pool/pool.ts';
export {
  defineTask,
  isTransferring,
  type TaskFunction,
  type TaskRef,
  type Transferring,
  taskModuleUrl,
  withTransfer,
} from './pool/task.ts';
export { cryptoRandom, type Random, SeededRandom } from './random.ts';
export { type RuntimeGlobals, type RuntimeKey, runtimeKey } from './runtime.ts';
export { secretsEqual, timingSafeEqual } from './secrets.ts';
export {
  mapPlaceholders,
  type SqlDialect,
  type SqlDriver,
  type SqlExecutor,
  type SqlRow,
  type SqlRunResult,
  type SqlValue,
} from './sql/driver.ts';
export type { ListenEvents, NotificationHandler } from './sql/notify.ts';
