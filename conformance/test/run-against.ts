// Runs suites in-process against a server URL and prints their lines, as the tests of the runner do.
import type { CheckResult } from '../runner/check.ts';
import type { DeviceApiName } from '../runner/devices/device.ts';
import { openRun } from '../runner/open.ts';
import { progressLine, summaryTable } from '../runner/report.ts';
import { runSuites } from '../runner/run.ts';
import { SUITES } from '../suites/index.ts';
import type { OurBroker } from './our-broker.ts';
import { BROKER_KEYS } from './our-broker.ts';
import { MASTER } from './our-server.ts';

/** What a test asks of a run. */
export interface RunAgainst {
  readonly url: string;
  readonly suites: readonly string[];
  readonly deviceApi?: DeviceApiName;
  readonly broker?: { readonly server: OurBroker; readonly heartbeatMs: number };
  /** Prints each line as it comes (the mutation runs keep quiet). */
  readonly quiet?: boolean;
  /** How long to wait for a callback or a delivery (default 10 000 ms). */
  readonly waitMs?: number;
  /** The timeout the `timeouts` suite gives its transactions (default {@link TEST_SHORT_TIMEOUT_MS}). */
  readonly shortTimeoutMs?: number;
}

/**
 * Longer than the CLI's default: a device in that suite must call in, take
 * and answer within it, on a two-core machine that also runs the server.
 */
export const TEST_SHORT_TIMEOUT_MS = 3_000;

/** The results, and the lines a CLI run would have printed. */
export async function runAgainst(options: RunAgainst): Promise<{ results: CheckResult[]; report: string }> {
  const lines: string[] = [];
  const run = await openRun({
    url: options.url,
    ...MASTER,
    ...(options.deviceApi === undefined ? {} : { deviceApi: options.deviceApi }),
    ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    shortTimeoutMs: options.shortTimeoutMs ?? TEST_SHORT_TIMEOUT_MS,
    ...(options.broker === undefined
      ? {}
      : {
          broker: {
            url: options.broker.server.url,
            ...BROKER_KEYS,
            heartbeatMs: options.broker.heartbeatMs,
            restartCommand: options.broker.server.restartCommand,
            shutdownCommand: options.broker.server.shutdownCommand,
          },
        }),
  });
  try {
    const suites = SUITES.filter((suite) => options.suites.includes(suite.name));
    const results = await runSuites(run.env, suites, {
      onResult: (result) => {
        lines.push(progressLine(result));
        if (options.quiet !== true) console.log(progressLine(result));
      },
    });
    return { results, report: `${lines.join('\n')}\n${summaryTable(results)}` };
  } finally {
    await run.close();
  }
}

/**
 * The sequences of Fig. 9 and Fig. 10, run once more per other device API
 * (the full run plays devices on the HTTP device API): every delivery and
 * ack path of each plugin, at a fraction of the time of all device suites.
 */
export const DEVICE_SUITES = ['device-transaction', 'group-transaction'];

/** A full run against our server, every suite, must finish within this (on a loaded two-core machine too). */
export const FULL_RUN_MS = 120_000;
