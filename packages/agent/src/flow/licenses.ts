import { type Flow, messageOf, untilAborted } from './flow.ts';
import { deliver } from './report.ts';

/**
 * Licences (docs/sources.md, The Xyte device API): applied strictly one
 * after another in the server's order, each confirmed (`inuse` after add or
 * update, `removed` after remove) before the next. A licence the applier
 * refuses stops the round: it and the ones after it wait for the next
 * telemetry beat. False when nothing was applied.
 */
export async function applyLicenses(flow: Flow): Promise<boolean> {
  const licenses = await flow.retry('licenses', (session, signal) => session.licenses(signal));
  const applier = flow.handlers.licenseApplier;
  let worked = false;
  for (const license of licenses) {
    if (applier !== undefined) {
      try {
        await untilAborted(
          Promise.resolve().then(() => applier(license, { signal: flow.signal })),
          flow.signal,
        );
      } catch (error) {
        if (flow.signal.aborted) throw flow.signal.reason;
        const message = messageOf(error);
        flow.logger.warn('licence not applied', { id: license.id, message });
        flow.emit({ type: 'license-failed', id: license.id, message });
        return worked;
      }
    }
    const state = license.action === 'remove' ? 'removed' : 'inuse';
    if (
      await deliver(flow, 'license-confirm', (session, signal) => session.confirmLicense(license.id, state, signal))
    ) {
      flow.emit({ type: 'license', id: license.id, state });
    }
    worked = true;
  }
  return worked;
}
