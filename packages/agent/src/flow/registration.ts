import { reconnectDelay } from '@fleetkit/broker';
import { AgentError, isTransient } from '../errors.ts';
import { withoutRegistration } from '../store.ts';
import { drawInterval } from '../timing.ts';
import type { AuthData } from '../types.ts';
import type { Flow } from './flow.ts';

/**
 * 000 Registration loop: try at once, and keep trying until the server
 * takes the device. A refusal (a wrong provisioning key, a conflict) waits
 * the registration interval (10–30 min by default); a network failure, a
 * 5xx or a 429 backs off like every other call, so a device that gains
 * network access registers soon after. The new auth data is saved with a
 * fresh state: the commands and configuration of an earlier registration
 * went with it (the pinned package key and the installed packages stay).
 * With `waitFirst` (the last credentials were refused before they ever
 * worked) the first attempt, too, waits an interval.
 */
export async function registrationLoop(flow: Flow, waitFirst = false): Promise<AuthData> {
  let transient = 0;
  if (waitFirst) {
    const delayMs = drawInterval(flow.timing.registrationInterval, flow.random);
    flow.emit({ type: 'waiting', reason: 'registration', delayMs });
    await flow.pause(delayMs, false);
  }
  for (;;) {
    try {
      const auth = await flow.transport.register(flow.registration, flow.signal);
      await flow.save({ ...withoutRegistration(flow.state), auth });
      flow.emit({ type: 'registered', id: auth.id });
      flow.logger.info('device registered', { id: auth.id });
      return auth;
    } catch (error) {
      if (flow.signal.aborted) throw flow.signal.reason;
      if (!(error instanceof AgentError)) throw error;
      const retryAfter = typeof error.details?.retryAfterMs === 'number' ? error.details.retryAfterMs : 0;
      const delay = isTransient(error)
        ? Math.max(reconnectDelay(transient++, flow.random, flow.timing.backoff), retryAfter)
        : drawInterval(flow.timing.registrationInterval, flow.random);
      flow.logger.warn('registration failed', { error: error.toJSON(), retryInMs: delay });
      flow.emit({ type: 'registration-failed', error, retryInMs: delay });
      await flow.pause(delay, false);
    }
  }
}
