#!/usr/bin/env node
// fleetkit-broker: the machine broker as a process, on Node, Bun or Deno.
import { createLogger, FleetkitError } from '@fleetkit/core';
import { Broker } from '../broker.ts';
import { parseCli, USAGE } from './cli-args.ts';
import { runtimeName, serve } from './serve.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const logger = createLogger({ fields: { service: 'fleetkit-broker' } });
  const config = parseCli(process.argv.slice(2), process.env);
  const server = await serve(new Broker({ ...config.broker, logger }), config.listen);
  console.log(`fleetkit-broker listening on ${server.url} (${runtimeName()}; endpoints /devices and /control)`);
  let stopping = false;
  const stop = (kind: 'shutdown' | 'restart') => () => {
    if (stopping) return;
    stopping = true;
    void server.close(kind).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop('shutdown'));
  process.on('SIGINT', stop('shutdown'));
  process.on('SIGHUP', stop('restart'));
}

main().catch((error: unknown) => {
  console.error(error instanceof FleetkitError ? `fleetkit-broker: ${error.message}\n\n${USAGE}` : error);
  process.exit(2);
});
