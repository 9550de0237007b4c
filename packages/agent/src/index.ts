export type { FetchFunction } from './_internal/http-call.ts';
export { Agent, type AgentOptions, startAgent } from './agent.ts';
export { type BrokerTransportOptions, brokerTransport, brokerUrlOf } from './broker-transport.ts';
export { AgentError, AgentErrorCode, isAuthLost, isTransient } from './errors.ts';
export type { AgentEvent, AgentListener, FlowStep } from './events.ts';
export {
  ANY_COMMAND,
  type ApplyContext,
  type CommandContext,
  type CommandFunction,
  type CommandHandler,
  type ConfigApplier,
  Handlers,
  type LicenseApplier,
} from './handlers.ts';
export { type HttpTransportOptions, httpTransport } from './http-transport.ts';
export {
  ANY_PACKAGE,
  type InstalledPackage,
  type InstallFunction,
  PACKAGE_COMMANDS,
  type PackageContext,
  type PackageImage,
  type PackageInstaller,
  type PackageInventory,
  type PackageOperation,
  type PackageOutcome,
  type PackageReportStatus,
  type PackageTransferOptions,
} from './packages.ts';
export {
  BEHAVIOURS,
  type Behaviour,
  type BehaviourScript,
  DEFAULT_SCRIPT,
  SIMULATED_FAILURE,
} from './simulator/behaviours.ts';
export type { FleetCounts } from './simulator/counts.ts';
export {
  Fleet,
  type FleetOptions,
  type SimulatedDevice,
  simulateFleet,
} from './simulator/fleet.ts';
export {
  type AgentState,
  type AgentStore,
  EMPTY_STATE,
  type InProgressCommand,
  MemoryStore,
  memoryStore,
  type PackageProgress,
  parseAgentState,
} from './store.ts';
export { SharedTimers } from './timer-heap.ts';
export {
  type AgentTiming,
  DEFAULT_REGISTRATION_INTERVAL,
  DEFAULT_TELEMETRY_INTERVAL,
  drawInterval,
  type Interval,
} from './timing.ts';
export type {
  ChunkAcknowledgement,
  DownloadOptions,
  PackageChannel,
  PackageReport,
  PackageState,
  PackageTarget,
  Session,
  SessionHooks,
  Transport,
} from './transport.ts';
export type {
  AuthData,
  Command,
  CommandUpdate,
  ConfigDocument,
  ConfigReport,
  License,
  LicenseState,
  Pending,
  Registration,
  TelemetryReport,
} from './types.ts';
