#!/usr/bin/env node
// fleetkit-agent: one device agent (or a simulated fleet) as a process, on Node, Bun or Deno.
import { hostname } from 'node:os';
import { createLogger, FleetkitError, type Logger } from '@fleetkit/core';
import { Agent } from '../agent.ts';
import { brokerTransport } from '../broker-transport.ts';
import { Handlers } from '../handlers.ts';
import { httpTransport } from '../http-transport.ts';
import { simulateFleet } from '../simulator/fleet.ts';
import type { Transport } from '../transport.ts';
import { type CliConfig, parseCli, USAGE } from './cli-args.ts';
import { fileStore } from './file-store.ts';

/** The device code of the CLI: it takes everything and says what it took. */
function cliHandlers(logger: Logger): Handlers {
  return new Handlers()
    .packageInstaller('*', {
      // the image is verified against the signed manifest by now; a device to try a server with keeps no copy
      install: (image, context) => {
        logger.info('package installed', {
          name: image.name,
          version: image.version,
          size: image.size,
          operation: context.operation,
        });
        return undefined;
      },
      uninstall: (target) => {
        logger.info('package uninstalled', { name: target.name, version: target.version });
      },
    })
    .command('*', (command) => {
      logger.info('command', { id: command.id, name: command.name, parameters: command.parameters });
      return { received: command.name, parameters: command.parameters };
    })
    .config((config, context) => {
      logger.info('configuration', { version: context.version, config });
    })
    .license((license) => {
      logger.info('licence', { id: license.id, action: license.action });
    });
}

function transportOf(config: CliConfig, logger: Logger): Transport {
  if (config.transport === 'http') return httpTransport({ url: config.url });
  return brokerTransport({
    url: config.url,
    ...(config.brokerUrl === undefined ? {} : { brokerUrl: config.brokerUrl }),
    logger,
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const config = parseCli(process.argv.slice(2), process.env, hostname());
  const logger = createLogger({ fields: { service: 'fleetkit-agent' } });
  const timing = config.telemetryInterval === undefined ? {} : { telemetryInterval: config.telemetryInterval };
  let stop: () => Promise<void>;
  if (config.simulate !== undefined) {
    const fleet = simulateFleet({
      count: config.simulate,
      url: config.url,
      transport: config.transport,
      ...(config.brokerUrl === undefined ? {} : { brokerUrl: config.brokerUrl }),
      registration: (index) => ({ ...config.registration, deviceId: `${config.registration.deviceId}-${index}` }),
      timing,
      logger,
    });
    console.log(`fleetkit-agent simulating ${config.simulate} devices against ${config.url}`);
    stop = () => fleet.stop();
  } else {
    const agent = new Agent({
      transport: transportOf(config, logger),
      registration: config.registration,
      store: fileStore(config.stateDir),
      handlers: cliHandlers(logger),
      telemetry: () => ({ status: 'online', telemetries: { uptime_s: Math.round(process.uptime()) } }),
      timing,
      logger,
    });
    agent.onEvent((event) => {
      if (event.type === 'registered') console.log(`fleetkit-agent registered as ${event.id}`);
    });
    agent.start();
    console.log(`fleetkit-agent ${config.registration.deviceId} started against ${config.url} (${config.transport})`);
    stop = () => agent.stop();
  }
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    void stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  console.error(error instanceof FleetkitError ? `fleetkit-agent: ${error.message}\n\n${USAGE}` : error);
  process.exit(2);
});
