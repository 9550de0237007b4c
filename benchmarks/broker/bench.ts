import { defineSuite, hz, type MeasuredCase } from '../harness/suite.ts';
import { installedVersion } from '../harness/versions.ts';
import { closeAll, openMany } from './connections.ts';
import { type Mosquitto, mosquittoMissing, startMosquitto } from './mosquitto.ts';
import { mqttClients } from './mqtt-clients.ts';
import { FRAME, type RelayClients, type RelayRun, relayRate, wsClients } from './relay.ts';
import { type ServerProcess, startServer } from './servers.ts';

const SUBSCRIBERS = 100;
const FRAMES = 3_000; // × 100 subscribers = 300,000 deliveries per side
const DEVICES = 10_000;
let ours: ServerProcess;
let bare: ServerProcess;
let aedes: ServerProcess;
let mosquitto: Mosquitto;

const register = (i: number): string[] => [
  JSON.stringify({ type: 'register', deviceId: `device-${i}`, metadata: { name: `Sensor ${i}` } }),
];

function oursClients(port: number): RelayClients {
  return wsClients({
    publisherUrl: `ws://127.0.0.1:${port}/devices?apiKey=bench-device`,
    subscriberUrl: `ws://127.0.0.1:${port}/control?apiKey=bench-control`,
    publisherSetup: [JSON.stringify({ type: 'register', deviceId: 'publisher' })],
    subscriberSetup: [JSON.stringify({ type: 'subscribe', deviceId: 'publisher' })],
    publisherReadyAfter: 2, // welcome, success
    subscriberReadyAfter: 2, // welcome, success
  });
}

function bareClients(port: number): RelayClients {
  return wsClients({
    publisherUrl: `ws://127.0.0.1:${port}/pub`,
    subscriberUrl: `ws://127.0.0.1:${port}/sub`,
    publisherSetup: [],
    subscriberSetup: [],
    publisherReadyAfter: 0,
    subscriberReadyAfter: 0,
  });
}

const cpuLine = (runs: readonly RelayRun[]): string =>
  runs
    .map(
      (r) =>
        `${Math.round(r.rate)}/s (CPU µs per delivery: clients ${r.clientCpuUs.toFixed(2)}, server ${r.serverCpuUs?.toFixed(2) ?? '?'})`,
    )
    .join('; ');

/** Ours beside one relay peer, alternating, three rounds each; each side's best run. */
function relayCase(peer: string, peerClients: () => RelayClients, peerPid: () => number, goal?: number): MeasuredCase {
  return {
    name: `relay 1 → ${SUBSCRIBERS} subscribers, delivered/s`,
    peer,
    ...(goal === undefined ? {} : { goal }),
    async measure() {
      // alternate sides and keep each side's best run: the shared machine's noise hits both alike
      const o: RelayRun[] = [];
      const p: RelayRun[] = [];
      for (let round = 0; round < 3; round++) {
        p.push(await relayRate(peerClients(), SUBSCRIBERS, FRAMES, peerPid()));
        o.push(await relayRate(oursClients(ours.port), SUBSCRIBERS, FRAMES, ours.pid));
      }
      console.log(`    ours: ${cpuLine(o)}\n    ${peer}: ${cpuLine(p)}`);
      return { ours_hz: Math.max(...o.map((r) => r.rate)), peer_hz: Math.max(...p.map((r) => r.rate)) };
    },
  };
}

/** Bytes per held connection: (heap + external after GC with `count` open) − (same before), / count. */
async function bytesPerConnection(
  server: ServerProcess,
  url: string,
  hello: (i: number) => string[],
  replies: number,
): Promise<number> {
  await closeAll(await openMany(url, 500, hello, replies)); // warm code paths and pools before the baseline
  const before = await server.memory();
  const sockets = await openMany(url, DEVICES, hello, replies);
  const after = await server.memory();
  await closeAll(sockets);
  const perConn = (after.heapUsed + after.external - before.heapUsed - before.external) / DEVICES;
  console.log(
    `    ${url.includes('/devices') ? 'ours' : 'bare ws'}: ${after.connections} connections, ${Math.round(perConn)} B each on the JS heap + external (RSS +${Math.round((after.rss - before.rss) / DEVICES)} B each)`,
  );
  return perConn;
}

export default defineSuite({
  name: 'broker',
  description: `@fleetkit/broker on Node (ws 8 adapter), servers in child processes, clients in this one: ${FRAME.length}-byte device frames relayed 1 → ${SUBSCRIBERS} subscribers (delivered/s) beside a bare \`ws\` relay that corks each subscriber per event-loop turn as ours does (the floor), Mosquitto 2 (Debian, WebSocket listener) and aedes, both at QoS 0 with mqtt.js clients over WebSocket; memory held per registered device with ${DEVICES.toLocaleString('en')} connected (connections per MiB; higher is better) and connection rate beside bare \`ws\`.`,
  async setup() {
    const missing = mosquittoMissing();
    if (missing !== undefined) return missing;
    [ours, bare, aedes, mosquitto] = await Promise.all([
      startServer('ours'),
      startServer('bare'),
      startServer('aedes'),
      startMosquitto(),
    ]);
    return undefined;
  },
  cases: () => [
    relayCase(
      `bare ws ${installedVersion('ws')} relay, corked per event-loop turn (the floor)`,
      () => bareClients(bare.port),
      () => bare.pid,
      0.9,
    ),
    relayCase(
      `${mosquitto.label} (WebSocket listener), mqtt.js ${installedVersion('mqtt')} clients`,
      () => mqttClients(`ws://127.0.0.1:${mosquitto.port}/mqtt`),
      () => mosquitto.pid,
    ),
    relayCase(
      `aedes ${installedVersion('aedes')} on ws ${installedVersion('ws')}, mqtt.js ${installedVersion('mqtt')} clients`,
      () => mqttClients(`ws://127.0.0.1:${aedes.port}/mqtt`),
      () => aedes.pid,
    ),
    {
      name: `${DEVICES.toLocaleString('en')} registered devices held, connections per MiB`,
      peer: `bare ws ${installedVersion('ws')} server holding sockets`,
      goal: 1 / 1.2,
      async measure() {
        const peerBytes = await bytesPerConnection(bare, `ws://127.0.0.1:${bare.port}/idle`, register, 0);
        const oursBytes = await bytesPerConnection(
          ours,
          `ws://127.0.0.1:${ours.port}/devices?apiKey=bench-device`,
          register,
          2,
        );
        return { ours_hz: 2 ** 20 / oursBytes, peer_hz: 2 ** 20 / peerBytes };
      },
    },
    {
      name: '1,000 devices connecting at once, connections/s',
      peer: `bare ws ${installedVersion('ws')} (open only)`,
      async measure() {
        const t0 = performance.now();
        const a = await openMany(`ws://127.0.0.1:${bare.port}/idle`, 1_000, () => [], 0, 1_000);
        const peer_hz = hz(1_000, t0, performance.now());
        await closeAll(a);
        const t1 = performance.now();
        const b = await openMany(`ws://127.0.0.1:${ours.port}/devices?apiKey=bench-device`, 1_000, register, 2, 1_000);
        const ours_hz = hz(1_000, t1, performance.now());
        await closeAll(b);
        console.log(
          `    1,000 at once: ours (open + welcome + register + success) ${(1_000 / ours_hz).toFixed(2)} s, bare (open) ${(1_000 / peer_hz).toFixed(2)} s`,
        );
        return { ours_hz, peer_hz };
      },
    },
  ],
  async teardown() {
    await Promise.all([ours?.stop(), bare?.stop(), aedes?.stop(), mosquitto?.stop()]);
  },
});
