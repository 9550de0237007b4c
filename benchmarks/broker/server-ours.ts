// Child process: @fleetkit/broker on Node (the adapter `fleetkit-broker` uses), reporting its memory over IPC.

import { Broker } from '@fleetkit/broker';
import { serveNode } from '@fleetkit/broker/node';
import { silentLogger } from '@fleetkit/core';
import { serveChild } from './child.ts';

const server = await serveNode(
  new Broker({ deviceKeys: ['bench-device'], controlKeys: ['bench-control'], logger: silentLogger }),
  { port: 0, hostname: '127.0.0.1' },
);
serveChild(server.port, () => server.broker.connectionCount);
