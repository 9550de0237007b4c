import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mosquitto, mosquittoMissing, startMosquitto } from './mosquitto.ts';
import { mqttClients } from './mqtt-clients.ts';
import { mqttWireClients, packetScanner } from './mqtt-wire.ts';
import { relayRate, wsClients } from './relay.ts';
import { type ServerProcess, startServer } from './servers.ts';

describe('the relay benchmark', () => {
  const servers: ServerProcess[] = [];
  let mosquitto: Mosquitto | undefined;
  beforeAll(async () => {
    servers.push(...(await Promise.all([startServer('ours'), startServer('bare'), startServer('aedes')])));
    // CI installs Mosquitto (.ci/run); elsewhere a machine without it skips those cases
    if (mosquittoMissing() === undefined || process.env.CI) mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.stop()), mosquitto?.stop()]);
  });

  // relayRate resolves only once every subscriber has every frame, and throws on a stall
  const frames = 300;
  const subscribers = 5;

  it('ours relays every frame to every subscriber', async () => {
    const [ours] = servers;
    const clients = wsClients({
      publisherUrl: `ws://127.0.0.1:${ours!.port}/devices?apiKey=bench-device`,
      subscriberUrl: `ws://127.0.0.1:${ours!.port}/control?apiKey=bench-control`,
      publisherSetup: [JSON.stringify({ type: 'register', deviceId: 'publisher' })],
      subscriberSetup: [JSON.stringify({ type: 'subscribe', deviceId: 'publisher' })],
      publisherReadyAfter: 2,
      subscriberReadyAfter: 2,
    });
    const run = await relayRate(clients, subscribers, frames, ours!.pid);
    expect(run.rate).toBeGreaterThan(0);
  });

  it('the bare relay, corked per event-loop turn, loses no frame', async () => {
    const bare = servers[1]!;
    const clients = wsClients({
      publisherUrl: `ws://127.0.0.1:${bare.port}/pub`,
      subscriberUrl: `ws://127.0.0.1:${bare.port}/sub`,
      publisherSetup: [],
      subscriberSetup: [],
      publisherReadyAfter: 0,
      subscriberReadyAfter: 0,
    });
    await expect(relayRate(clients, subscribers, frames, bare.pid)).resolves.toHaveProperty('rate');
  });

  it('aedes relays every frame to mqtt.js subscribers and to counting ones', async () => {
    const aedes = servers[2]!;
    const url = `ws://127.0.0.1:${aedes.port}/mqtt`;
    await expect(relayRate(mqttClients(url), subscribers, frames, aedes.pid)).resolves.toHaveProperty('rate');
    await expect(relayRate(mqttWireClients(url), subscribers, frames, aedes.pid)).resolves.toHaveProperty('rate');
  });

  it.skipIf(mosquittoMissing() !== undefined && !process.env.CI)(
    'Mosquitto relays every frame over its WebSocket listener',
    async () => {
      const url = `ws://127.0.0.1:${mosquitto!.port}/mqtt`;
      await expect(relayRate(mqttClients(url), subscribers, frames, mosquitto!.pid)).resolves.toHaveProperty('rate');
      await expect(relayRate(mqttWireClients(url), subscribers, frames, mosquitto!.pid)).resolves.toHaveProperty(
        'rate',
      );
    },
  );
});

describe('the MQTT packet scanner', () => {
  it('finds each packet however the stream is cut, a remaining length of two bytes included', () => {
    const big = Buffer.concat([Buffer.from([0x30, 0xc8, 0x01]), Buffer.alloc(200, 7)]); // PUBLISH, length 200
    const small = Buffer.from([0x90, 0x03, 0, 1, 0]); // SUBACK
    const stream = Buffer.concat([big, small, big]);
    for (const cut of [1, 2, 3, 150, 203, 204, 206]) {
      const types: number[] = [];
      const scan = packetScanner((type) => types.push(type));
      scan(stream.subarray(0, cut));
      scan(stream.subarray(cut));
      expect(types).toEqual([3, 9, 3]);
    }
  });
});
