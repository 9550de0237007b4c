import type { AgentError } from './errors.ts';
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
  | 'state';

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
  | { readonly type: 'refused'; readonly step: FlowStep; readonly error: AgentError }
  | { readonly type: 'auth-lost'; readonly step: FlowStep; readonly status: number | undefined }
  | { readonly type: 'backoff'; readonly step: FlowStep; readonly delayMs: number; readonly error: unknown }
  | { readonly type: 'waiting'; readonly reason: 'telemetry' | 'registration'; readonly delayMs: number }
  | { readonly type: 'stopped' };

/** A listener of {@link AgentEvent}s. */
export type AgentListener = (event: AgentEvent) => void;
