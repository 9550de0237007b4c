import { AgentError, AgentErrorCode } from '../errors.ts';
import { drawInterval } from '../timing.ts';
import type { Pending } from '../types.ts';
import { runCommand } from './commands.ts';
import { applyConfig } from './config.ts';
import type { Flow } from './flow.ts';
import { applyLicenses } from './licenses.ts';

/**
 * 000 Handling code: the telemetry answer only says what waits; fetch each
 * kind, apply it, report it. One command per beat (the server hands out one
 * at a time); configuration only when the server's version is newer.
 * True when something was handled.
 */
export async function handle(flow: Flow, pending: Pending): Promise<boolean> {
  let worked = false;
  if (pending.configVersion > flow.state.configVersion && (await applyConfig(flow))) worked = true;
  if (pending.command && (await runCommand(flow))) worked = true;
  if (pending.licenses && (await applyLicenses(flow))) worked = true;
  return worked;
}

/**
 * 000 Telemetry loop: report every telemetry interval (5–30 s by default),
 * and at once after a significant event: work just handled (000: "some
 * operation finished") or {@link Agent.reportNow}. Returns only by throwing:
 * `auth-lost` sends the agent back to registration, the stop reason ends it.
 */
export async function telemetryLoop(flow: Flow): Promise<never> {
  let immediate = 0;
  for (;;) {
    let worked = false;
    try {
      const report = await flow.report();
      const pending = await flow.retry('telemetry', (session, signal) => session.telemetry(report, signal));
      flow.emit({ type: 'telemetry', pending });
      worked = await handle(flow, pending);
    } catch (error) {
      // a report the server refuses (400) will not improve by sending it again at once
      if (!(error instanceof AgentError && error.code === AgentErrorCode.Refused)) throw error;
      flow.logger.warn('the server refused a step of the telemetry loop', { error: error.toJSON() });
      flow.emit({ type: 'refused', step: 'telemetry', error });
    }
    const nudged = flow.takeNudge();
    if ((worked || nudged) && immediate < flow.timing.maxImmediateBeats) {
      immediate++;
      continue;
    }
    immediate = 0;
    const delay = drawInterval(flow.timing.telemetryInterval, flow.random);
    flow.emit({ type: 'waiting', reason: 'telemetry', delayMs: delay });
    await flow.pause(delay, true);
  }
}
