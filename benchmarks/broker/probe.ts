// Where a relay's CPU goes, per system: delivered/s, CPU µs per delivered
// frame in this process (every client) and in the server's, and WebSocket
// messages per delivery, with mqtt.js clients and with bare counting
// clients (mqtt-wire.ts) on the MQTT brokers. CPU per delivery moves less
// with the machine's load than a rate does.
//   node --conditions=source benchmarks/broker/probe.ts [frames] [subscribers]
// Not a benchmark of record (npm run bench -- broker is): a profile to read.
import { startMosquitto } from './mosquitto.ts';
import { mqttClients } from './mqtt-clients.ts';
import { mqttWireClients, wireMessages } from './mqtt-wire.ts';
import { type RelayClients, relayRate, wsClients } from './relay.ts';
import { startServer } from './servers.ts';

const frames = Number(process.argv[2] ?? 2000);
const subscribers = Number(process.argv[3] ?? 100);
const [ours, bare, aedes, mosquitto] = await Promise.all([
  startServer('ours'),
  startServer('bare'),
  startServer('aedes'),
  startMosquitto(),
]);

async function probe(name: string, clients: RelayClients, pid: number): Promise<void> {
  const messages = wireMessages();
  const run = await relayRate(clients, subscribers, frames, pid);
  const split = wireMessages() - messages;
  // the warm-up's frames are in the message count too: at most 500 more per subscriber
  const perDelivery =
    split === 0
      ? ''
      : `, ${(split / ((frames + Math.min(500, frames)) * subscribers)).toFixed(2)} WebSocket messages per delivery`;
  console.log(
    `${name}: ${Math.round(run.rate)} delivered/s, CPU µs per delivery: clients ${run.clientCpuUs.toFixed(2)}, server ${run.serverCpuUs?.toFixed(2) ?? '?'}${perDelivery}`,
  );
}

try {
  await probe(
    'ours',
    wsClients({
      publisherUrl: `ws://127.0.0.1:${ours.port}/devices?apiKey=bench-device`,
      subscriberUrl: `ws://127.0.0.1:${ours.port}/control?apiKey=bench-control`,
      publisherSetup: [JSON.stringify({ type: 'register', deviceId: 'publisher' })],
      subscriberSetup: [JSON.stringify({ type: 'subscribe', deviceId: 'publisher' })],
      publisherReadyAfter: 2,
      subscriberReadyAfter: 2,
    }),
    ours.pid,
  );
  await probe(
    'bare ws, corked per turn',
    wsClients({
      publisherUrl: `ws://127.0.0.1:${bare.port}/pub`,
      subscriberUrl: `ws://127.0.0.1:${bare.port}/sub`,
      publisherSetup: [],
      subscriberSetup: [],
      publisherReadyAfter: 0,
      subscriberReadyAfter: 0,
    }),
    bare.pid,
  );
  for (const [name, url, pid] of [
    [mosquitto.label, `ws://127.0.0.1:${mosquitto.port}/mqtt`, mosquitto.pid],
    ['aedes', `ws://127.0.0.1:${aedes.port}/mqtt`, aedes.pid],
  ] as const) {
    await probe(`${name}, mqtt.js clients`, mqttClients(url), pid);
    await probe(`${name}, counting clients`, mqttWireClients(url), pid);
  }
  await probe(
    `${mosquitto.label} over TCP (native listener), mqtt.js clients`,
    mqttClients(`mqtt://127.0.0.1:${mosquitto.mqttPort}`),
    mosquitto.pid,
  );
} finally {
  await Promise.all([ours.stop(), bare.stop(), aedes.stop(), mosquitto.stop()]);
}
