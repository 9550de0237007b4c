#!/usr/bin/env node
// fleetkit-conformance-broker --url ws://host:port --device-key K --control-key K [--max-message-bytes N] [--timeout-ms N] [--filter TEXT]
// Replays the connection lifecycle of 002 against any broker; exits 1 if a check fails, 2 on bad arguments.
import { parseArgs } from 'node:util';
import { progressLine, runBrokerConformance } from './run.ts';

const usage =
  'Usage: fleetkit-conformance-broker --url ws://host:port --device-key K --control-key K [--max-message-bytes N] [--timeout-ms N] [--filter TEXT]';

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
console.log(`broker conformance against ${url}`);
const results = await runBrokerConformance(
  {
    url,
    deviceKey,
    controlKey,
    ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  },
  {
    onResult: (r, total) => console.log(progressLine(r, total)),
    ...(values.filter === undefined ? {} : { filter: values.filter }),
  },
);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
