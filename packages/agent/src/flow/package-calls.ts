import type { PackageJob } from '../_internal/package-command.ts';
import { AgentError, AgentErrorCode } from '../errors.ts';
import type { AgentEvent, FlowStep } from '../events.ts';
import type { PackageChannel, Session } from '../transport.ts';
import type { Flow } from './flow.ts';
import { deliver } from './report.ts';

/** The session's package channel; `refused` for a transport that carries no images. */
export function channelOf(session: Session): PackageChannel {
  const channel = session.packages;
  if (channel === undefined) {
    throw new AgentError(AgentErrorCode.Refused, 'Cannot transfer packages: the transport carries no package images', {
      details: { error: 'no-package-channel' },
    });
  }
  return channel;
}

/** A package call retried through transient failures, as {@link Flow.retry}. */
export function packageCall<T>(
  flow: Flow,
  step: FlowStep,
  call: (channel: PackageChannel, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return flow.retry(step, (session, signal) => call(channelOf(session), signal));
}

/** A package report sent until it arrives, as {@link deliver}: false when the server refused it. */
export function deliverPackage(
  flow: Flow,
  step: FlowStep,
  call: (channel: PackageChannel, signal: AbortSignal) => Promise<void>,
): Promise<boolean> {
  return deliver(flow, step, (session, signal) => call(channelOf(session), signal));
}

/** Emits a `package` event of a job. */
export function emitPackage(
  flow: Flow,
  job: PackageJob,
  resumed: boolean,
  more: Pick<Extract<AgentEvent, { type: 'package' }>, 'status'> &
    Partial<Pick<Extract<AgentEvent, { type: 'package' }>, 'received' | 'total' | 'reboot' | 'message'>>,
): void {
  flow.emit({ type: 'package', id: job.command.id, name: job.name, operation: job.operation, resumed, ...more });
}
