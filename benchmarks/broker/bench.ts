import { defineSuite, hz } from '../harness/suite.ts';
import { closeAll, openMany } from './connections.ts';
import { FRAME, relayRate, type RelayTarget } from './relay.ts';
import { type ServerProcess, startServer } from './servers.ts';

const SUBSCRIBERS = 100;
const FRAMES = 3_000; // × 100 subscribers = 300,000 deliveries per side
const DEVICES = 10_000;
let ours: ServerProcess;
let bare: ServerProcess;

const register = (i: number): string[] => [
  JSON.stringify({ type: 'register', deviceId: `device-${i}`, metadata: { name: `Sensor ${i}` } }),
];

function oursTarget(port: number): RelayTarget {
  return {
    publisherUrl: `ws://127.0.0.1:${port}/devices?apiKey=bench-device`,
    subscriberUrl: `ws://127.0.0.1:${port}/control?apiKey=bench-control`,
    publisherSetup: [JSON.stringify({ type: 'register', deviceId: 'publisher' })],
    subscriberSetup: [JSON.stringify({ type: 'subscribe', deviceId: 'publisher' })],
    publisherReadyAfter: 2, // welcome, success
    subscriberReadyAfter: 2, // welcome, success
  };
}

function bareTarget(port: number): RelayTarget {
  return {
    publisherUrl: `ws://127.0.0.1:${port}/pub`,
    subscriberUrl: `ws://127.0.0.1:${port}/sub`,
    publisherSetup: [],
    subscriberSetup: [],
    publisherReadyAfter: 0,
    subscriberReadyAfter: 0,
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
  description: `@fleetkit/broker on Node (ws 8 adapter) beside a bare \`ws\` relay, servers in a child process, clients in this one: ${FRAME.length}-byte device frames relayed 1 → ${SUBSCRIBERS} subscribers (delivered/s), and memory held per registered device with ${DEVICES.toLocaleString('en')} connected (connections per MiB; higher is better).`,
  async setup() {
    [ours, bare] = await Promise.all([startServer('ours'), startServer('bare')]);
    return undefined;
  },
  cases: () => [
    {
      name: `relay 1 → ${SUBSCRIBERS} subscribers, delivered/s`,
      peer: 'bare ws 8 relay',
      goal: 0.9,
      async measure() {
        // alternate sides and keep each side's best run: the shared machine's noise hits both alike
        const o: number[] = [];
        const p: number[] = [];
        for (let round = 0; round < 3; round++) {
          p.push(await relayRate(bareTarget(bare.port), SUBSCRIBERS, FRAMES));
          o.push(await relayRate(oursTarget(ours.port), SUBSCRIBERS, FRAMES));
        }
        console.log(`    delivered/s ours ${o.map(Math.round).join(', ')}; bare ${p.map(Math.round).join(', ')}`);
        return { ours_hz: Math.max(...o), peer_hz: Math.max(...p) };
      },
    },
    {
      name: `${DEVICES.toLocaleString('en')} registered devices held, connections per MiB`,
      peer: 'bare ws 8 server holding sockets',
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
      peer: 'bare ws 8 (open only)',
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
    await Promise.all([ours?.stop(), bare?.stop()]);
  },
});
