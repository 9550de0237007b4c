#!/usr/bin/env node
// fleetkit-conformance-broker --url ws://host:port --device-key K --control-key K [options]
// Replays the connection lifecycle of 002 against any broker; exits 1 if a check fails, 2 on bad arguments.
import { parseArgs } from 'node:util';
import { progressLine, runBrokerConformance } from './run.ts';

const usage = `Usage: fleetkit-conformance-broker --url ws://host:port --device-key K --control-key K [options]

  --max-message-bytes N   the broker's frame limit (default 65536)
  --timeout-ms N          how long to wait for any one frame or close (default 5000)
  --heartbeat-ms N        the broker's ping interval (default 30000): the heartbeat checks wait up to two
  --restart-command CMD   restarts the broker: its connections must close with 1012
  --shutdown-command CMD  stops the broker: its connections must close with 1001
  --filter TEXT           only the checks whose name contains TEXT`;

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    console.error(`--${flag} must be a positive integer: got ${JSON.stringify(value)}\n${usage}`);
    process.exit(2);
  }
  return Number(value);
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'device-key': { type: 'string' },
    'control-key': { type: 'string' },
    'max-message-bytes': { type: 'string' },
    'timeout-ms': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'restart-command': { type: 'string' },
    'shutdown-command': { type: 'string' },
    filter: { type: 'string' },
  },
});
const { url, 'device-key': deviceKey, 'control-key': controlKey } = values;
if (url === undefined || deviceKey === undefined || controlKey === undefined) {
  console.error(
    `missing ${[!url && '--url', !deviceKey && '--device-key', !controlKey && '--control-key'].filter(Boolean).join(', ')}\n${usage}`,
  );
  process.exit(2);
}
const maxMessageBytes = positive('max-message-bytes', values['max-message-bytes']);
const timeoutMs = positive('timeout-ms', values['timeout-ms']);
const heartbeatMs = positive('heartbeat-ms', values['heartbeat-ms']);
console.log(`broker conformance against ${url}`);
const results = await runBrokerConformance(
  {
    url,
    deviceKey,
    controlKey,
    ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    ...(values['restart-command'] === undefined ? {} : { restartCommand: values['restart-command'] }),
    ...(values['shutdown-command'] === undefined ? {} : { shutdownCommand: values['shutdown-command'] }),
  },
  {
    onResult: (r, total) => console.log(progressLine(r, total)),
    ...(values.filter === undefined ? {} : { filter: values.filter }),
  },
);
const failed = results.filter((r) => !r.ok).length;
const skipped = results.filter((r) => r.skipped !== undefined).length;
console.log(`${results.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
