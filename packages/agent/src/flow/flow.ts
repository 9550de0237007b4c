import type { ChunkStorage } from '@fleetkit/chunked';
import type { Clock, Logger, Random } from '@fleetkit/core';
import type { AgentEvent, FlowStep } from '../events.ts';
import type { Handlers } from '../handlers.ts';
import type { AgentState } from '../store.ts';
import type { ResolvedTiming } from '../timing.ts';
import type { Session, Transport } from '../transport.ts';
import type { Registration, TelemetryReport } from '../types.ts';
import type { ResolvedTransfer } from './package-options.ts';

export { untilAborted } from '../_internal/abort.ts';

/** What the steps of the flow share: the running agent as its steps see it. */
export interface Flow {
  readonly transport: Transport;
  readonly registration: Registration;
  readonly handlers: Handlers;
  readonly timing: ResolvedTiming;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Aborts when the agent stops. */
  readonly signal: AbortSignal;
  readonly packageTransfer: ResolvedTransfer;
  /** Where package chunks live: the store's, else memory of this agent. */
  chunks(): ChunkStorage;
  /** The state saved last. */
  readonly state: AgentState;
  /** Persists a new state (resolves once it is durable). */
  save(state: AgentState): Promise<void>;
  emit(event: AgentEvent): void;
  /** The report of this telemetry beat. */
  report(): Promise<TelemetryReport>;
  /**
   * Calls the session until the call succeeds, waiting out transient
   * failures with backoff. Throws `auth-lost` (after emitting it), any other
   * refusal, or the stop reason.
   */
  retry<T>(step: FlowStep, call: (session: Session, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** One call of the session, no retry; `auth-lost` is emitted before it is thrown. */
  once<T>(step: FlowStep, call: (session: Session, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Waits `ms`; a wakeable wait ends early on a significant event. Rejects when the agent stops. */
  pause(ms: number, wakeable: boolean): Promise<void>;
  /** True once, after a significant event happened while the agent was busy. */
  takeNudge(): boolean;
}

/** The message of a thrown value, for a `failed` report. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}
