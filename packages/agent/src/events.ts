import type { AgentError } from './errors.ts';
import type { InstalledPackage, PackageOperation, PackageReportStatus } from './packages.ts';
import type { LicenseState, Pending } from './types.ts';

/** The step of the flow a backoff or a refusal happened in. */
export type FlowStep =
  | 'register'
  | 'telemetry'
  | 'command'
  | 'command-update'
  | 'config'
  | 'config-report'
  | 'licenses'
  | 'license-confirm'
  | 'rpc'
  | 'state'
  | 'package-key'
  | 'package-manifest'
  | 'package-image'
  | 'package-acknowledge'
  | 'package-report'
  | 'package-inventory';

/** What an agent did, for logs, tests and the simulator's counts. */
export type AgentEvent =
  | { readonly type: 'registered'; readonly id: string }
  | { readonly type: 'registration-failed'; readonly error: AgentError; readonly retryInMs: number }
  | { readonly type: 'telemetry'; readonly pending: Pending }
  | {
      readonly type: 'command';
      readonly id: string;
      readonly name: string;
      readonly status: 'in_progress' | 'done' | 'failed' | 'cancelled';
      /** True when the command was finished after a restart instead of being carried out. */
      readonly resumed: boolean;
      readonly message?: string;
    }
  | { readonly type: 'config'; readonly version: number; readonly status: 'done' | 'failed'; readonly message?: string }
  | { readonly type: 'license'; readonly id: string; readonly state: LicenseState }
  | { readonly type: 'license-failed'; readonly id: string; readonly message: string }
  | {
      readonly type: 'package';
      /** The command carrying the operation. */
      readonly id: string;
      /** The package. */
      readonly name: string;
      readonly operation: PackageOperation;
      /** `transferring` after each acknowledgement (`received` of `total` chunks), then what was reported. */
      readonly status: 'transferring' | PackageReportStatus;
      /** True when the operation was carried on after a restart. */
      readonly resumed: boolean;
      readonly received?: number;
      readonly total?: number;
      /** Installed, taking effect after a restart: the device should restart now. */
      readonly reboot?: boolean;
      readonly message?: string;
    }
  | { readonly type: 'package-inventory'; readonly packages: readonly InstalledPackage[] }
  | { readonly type: 'refused'; readonly step: FlowStep; readonly error: AgentError }
  | { readonly type: 'auth-lost'; readonly step: FlowStep; readonly status: number | undefined }
  | { readonly type: 'backoff'; readonly step: FlowStep; readonly delayMs: number; readonly error: unknown }
  | { readonly type: 'waiting'; readonly reason: 'telemetry' | 'registration'; readonly delayMs: number }
  | { readonly type: 'stopped' };

/** A listener of {@link AgentEvent}s. */
export type AgentListener = (event: AgentEvent) => void;
