import { AgentError, AgentErrorCode } from '../errors.ts';
import type { FlowStep } from '../events.ts';
import type { Session } from '../transport.ts';
import type { Flow } from './flow.ts';

/**
 * Sends a report until it arrives; true when the server took it, false when
 * it refused it (a 409 for an ack the server no longer wants, say), which is
 * emitted and otherwise let go: the server's answer is final.
 */
export async function deliver(
  flow: Flow,
  step: FlowStep,
  call: (session: Session, signal: AbortSignal) => Promise<void>,
): Promise<boolean> {
  try {
    await flow.retry(step, call);
    return true;
  } catch (error) {
    if (error instanceof AgentError && error.code === AgentErrorCode.Refused) {
      flow.logger.warn('the server refused a report', { step, error: error.toJSON() });
      flow.emit({ type: 'refused', step, error });
      return false;
    }
    throw error;
  }
}
