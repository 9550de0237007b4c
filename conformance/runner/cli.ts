#!/usr/bin/env node
// fleetkit-conformance --url URL --user U --password P [--suite a,b] [--device-api …] [--junit FILE] [--json]
// Replays the documented sequences against a server; exits 0 when no check failed, 1 when one did, 2 on bad arguments.
import { writeFileSync } from 'node:fs';
import { SUITES } from '../suites/index.ts';
import type { CheckResult } from './check.ts';
import { openRun } from './open.ts';
import { parseOptions, USAGE, UsageError } from './options.ts';
import { jsonReport, junitXml, progressLine, summaryTable } from './report.ts';
import { runSuites } from './run.ts';

const names = SUITES.map((suite) => suite.name);
const usage = USAGE.replace('SUITE_NAMES', names.join(', '));

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2), names);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(usage);
  process.exit(0);
}

// with --json, stdout carries the JSON document only
const say = options.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
const started = performance.now();
const run = await openRun({
  ...options,
  ...(options.brokerDeviceKey === undefined || options.brokerControlKey === undefined
    ? {}
    : {
        broker: {
          url: options.brokerUrl,
          deviceKey: options.brokerDeviceKey,
          controlKey: options.brokerControlKey,
          heartbeatMs: options.brokerHeartbeatMs,
          ...(options.restartCommand === undefined ? {} : { restartCommand: options.restartCommand }),
          ...(options.shutdownCommand === undefined ? {} : { shutdownCommand: options.shutdownCommand }),
        },
      }),
});
say(`fleetkit-conformance against ${options.url} (devices: ${options.deviceApi}, callbacks: ${run.env.listener.url})`);
let results: CheckResult[];
try {
  const selected = SUITES.filter((suite) => options.suites === undefined || options.suites.includes(suite.name));
  results = await runSuites(run.env, selected, { onResult: (result) => say(progressLine(result)) });
} finally {
  await run.close();
}
say(`\n${summaryTable(results)}\n${((performance.now() - started) / 1000).toFixed(1)} s`);
if (options.junit !== undefined) writeFileSync(options.junit, junitXml(results));
if (options.json) console.log(jsonReport(results, options.url));
process.exit(results.some((result) => result.status === 'failed') ? 1 : 0);
