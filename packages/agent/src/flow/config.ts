import type { ConfigReport } from '../types.ts';
import { type Flow, messageOf, untilAborted } from './flow.ts';
import { deliver } from './report.ts';

/**
 * Configuration (docs/sources.md, The Xyte device API): fetched because the
 * telemetry answer named a version newer than the device's, applied by the
 * configuration applier, and reported with the version: `done` (which
 * becomes the device's version) or `failed` with the applier's message.
 * False when the fetched configuration is not newer after all.
 */
export async function applyConfig(flow: Flow): Promise<boolean> {
  const document = await flow.retry('config', (session, signal) => session.config(signal));
  if (document.version <= flow.state.configVersion) return false;
  const applier = flow.handlers.configApplier;
  let failure: string | undefined;
  if (applier === undefined) failure = 'No configuration applier';
  else {
    try {
      await untilAborted(
        Promise.resolve().then(() => applier(document.config, { signal: flow.signal, version: document.version })),
        flow.signal,
      );
    } catch (error) {
      if (flow.signal.aborted) throw flow.signal.reason;
      failure = messageOf(error);
    }
  }
  const report: ConfigReport = {
    ...(document.id === undefined ? {} : { id: document.id }),
    version: document.version,
    status: failure === undefined ? 'done' : 'failed',
    ...(failure === undefined ? {} : { message: failure }),
  };
  const taken = await deliver(flow, 'config-report', (session, signal) => session.reportConfig(report, signal));
  if (failure === undefined) await flow.save({ ...flow.state, configVersion: document.version });
  if (taken) {
    flow.emit({
      type: 'config',
      version: document.version,
      status: report.status,
      ...(failure === undefined ? {} : { message: failure }),
    });
  }
  return true;
}
