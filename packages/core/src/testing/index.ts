// Contract suites and helpers for packages that build on core (imports vitest).

export { type RunUntilKilledOptions, runUntilKilled } from './kill.ts';
export { describeWorkerPool } from './pool-suite.ts';
export { describeWithPostgres, postgresTestUrl } from './postgres.ts';
export { importReadmeExample, typescriptBlocks } from './readme.ts';
export { describeSqlDriver, sqlTypes } from './sql-driver-suite.ts';
