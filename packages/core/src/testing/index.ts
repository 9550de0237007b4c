// Contract suites and helpers for packages that build on core (imports vitest).
export { describeWorkerPool } from './pool-suite.ts';
export { describeWithPostgres, postgresTestUrl } from './postgres.ts';
export { describeSqlDriver, sqlTypes } from './sql-driver-suite.ts';
export { importReadmeExample, typescriptBlocks } from './readme.ts';
export { runUntilKilled, type RunUntilKilledOptions } from './kill.ts';
