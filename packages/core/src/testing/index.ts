// Contract suites and helpers for packages that build on core (imports vitest).

export {
  type PackageBin,
  packageBin,
  type StartedCommand,
  startCommand,
  terminalEnv,
} from './command.ts';
export {
  type ContractOptions,
  type ContractSuite,
  type ContractTestBody,
  contractSuite,
  whenOpened,
} from './contract.ts';
export { type RunUntilKilledOptions, runUntilKilled } from './kill.ts';
export { type TestOutcome, testOutcomes } from './outcomes.ts';
export {
  describeWorkerPool,
  type WorkerPoolSuiteContext,
  type WorkerPoolSuiteOptions,
} from './pool-suite.ts';
export { describeWithPostgres, postgresTestUrl } from './postgres.ts';
export { importReadmeExample, typescriptBlocks } from './readme.ts';
export {
  describeSqlDriver,
  type SqlDriverSuiteContext,
  type SqlDriverSuiteOptions,
  sqlTypes,
} from './sql-driver-suite.ts';
