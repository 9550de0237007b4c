// End to end over real sockets: the server on a TCP port (HTTP device API), its broker on another
// (WebSocket), the agent on the system clock with short intervals.
import type { BrokerServer } from '@fleetkit/broker';
import { serve } from '@fleetkit/broker/serve';
import { silentLogger } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type AgentEvent, brokerTransport, Handlers, httpTransport, type Transport } from '../src/index.ts';
import { Recorder } from './events.ts';
import { createPackage, imageOf, must, packageStatus } from './package-fixture.ts';
import { METER_KEY, SENSOR_KEY, startServer, type TestServer } from './server-fixture.ts';

describe('end to end against the real server over the network', () => {
  let t: TestServer;
  let broker: BrokerServer;
  beforeAll(async () => {
    t = await startServer({ listen: true });
    broker = await serve(t.server.broker, { port: 0, hostname: '127.0.0.1' });
  });
  afterAll(async () => {
    await broker.close();
    await t.close();
  });

  /** The device code of both runs: echo, configuration and licences, recorded. */
  function device(applied: string[]): Handlers {
    return new Handlers()
      .command('agent-test:echo', (command) => ({ echoed: command.parameters.text }))
      .config((config) => {
        applied.push(`config ${JSON.stringify(config.updates)}`);
      })
      .license((license) => {
        applied.push(`licence ${license.action} ${license.id}`);
      });
  }

  async function run(deviceId: string, key: string, transport: Transport, withLicence: boolean) {
    const applied: string[] = [];
    const agent = new Agent({
      transport,
      registration: { account: 'acme', provisioningKey: key, deviceId },
      handlers: device(applied),
      telemetry: () => ({ status: 'online', telemetries: { uptime: 1 } }),
      timing: { telemetryInterval: 50 },
      logger: silentLogger,
    });
    const events = new Recorder(agent);
    agent.start();
    await events.next('registered');
    await events.next('telemetry');
    const echo = await t.send(deviceId, 'echo', { text: 'over the wire' });
    await events.next('command', (e: Extract<AgentEvent, { type: 'command' }>) => e.status === 'done');
    expect(await t.transaction(deviceId, echo)).toMatchObject({
      state: 'complete',
      'device-result': { echoed: 'over the wire' },
    });
    await t.acme('exodm:update-config-data', { 'device-id': deviceId, module: 'agent-test', values: { interval: 15 } });
    const version = Number(
      (await t.acme('exodm:push-config-data', { 'device-id': deviceId })).result?.['transaction-id'],
    );
    expect(await events.next('config')).toMatchObject({ version, status: 'done' });
    if (withLicence) {
      await t.acme('exodm:add-device-license', { 'device-id': deviceId, 'license-id': 'pro' });
      expect(await events.next('license')).toMatchObject({ id: 'pro', state: 'inuse' });
    }
    await agent.stop();
    return applied;
  }

  it('over HTTP: registers, reports, runs a command, applies configuration and a licence', async () => {
    const applied = await run('e2e-http', METER_KEY, httpTransport({ url: t.url }), true);
    expect(applied).toEqual(['config [{"module":"agent-test","values":{"interval":15}}]', 'licence add pro']);
    const [report] = await t.server.context.db.query<{ telemetries: string }>(
      "SELECT telemetries FROM srv_device_reports WHERE account = 'acme' AND device_id = 'e2e-http'",
    );
    expect(JSON.parse(report!.telemetries)).toEqual({ uptime: 1 });
  });

  it('through the broker: registers over HTTP, then gets its command and configuration over a WebSocket', async () => {
    const transport = brokerTransport({ url: t.url, brokerUrl: `${broker.url}/devices`, logger: silentLogger });
    const applied = await run('e2e-broker', SENSOR_KEY, transport, false);
    expect(applied).toEqual(['config [{"module":"agent-test","values":{"interval":15}}]']);
  });

  it('installs a package over HTTP Range requests and through the broker WebSocket, the same image both ways', async () => {
    const image = imageOf(300_000, 5);
    await createPackage(t, 'e2e-fw', image, { version: '4.2' });
    const ways: [string, string, Transport][] = [
      ['e2e-pkg-http', METER_KEY, httpTransport({ url: t.url })],
      [
        'e2e-pkg-broker',
        SENSOR_KEY,
        brokerTransport({ url: t.url, brokerUrl: `${broker.url}/devices`, logger: silentLogger }),
      ],
    ];
    for (const [deviceId, key, transport] of ways) {
      const received: Uint8Array[] = [];
      const agent = new Agent({
        transport,
        registration: { account: 'acme', provisioningKey: key, deviceId },
        handlers: new Handlers().packageInstaller('e2e-fw', async (delivered) => {
          received.push(await delivered.bytes());
          return undefined;
        }),
        timing: { telemetryInterval: 50 },
        logger: silentLogger,
      });
      const events = new Recorder(agent);
      agent.start();
      await events.next('telemetry');
      await must(t, 'exodm:install-package', { 'package-name': 'e2e-fw', targets: [deviceId] });
      expect(await events.next('package', (e) => e.status !== 'transferring')).toMatchObject({ status: 'installed' });
      expect(received).toEqual([image]);
      expect(await packageStatus(t, 'e2e-fw', deviceId)).toMatchObject({
        'package-status': 'installed',
        confirmed: true,
      });
      await agent.stop();
    }
  });
});
