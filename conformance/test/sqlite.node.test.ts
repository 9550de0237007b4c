import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUITES } from '../suites/index.ts';
import { failures, unexpectedSkips } from './expected-skips.ts';
import { type OurBroker, startOurBroker } from './our-broker.ts';
import { type OurServer, startOurServer } from './our-server.ts';
import { DEVICE_SUITES, runAgainst } from './run-against.ts';

/** A short ping interval, so the heartbeat checks take moments instead of minutes. */
const HEARTBEAT_MS = 300;

describe('fleetkit-conformance against fleetkit-server on SQLite and fleetkit-broker', () => {
  let server: OurServer;
  let broker: OurBroker;
  beforeAll(async () => {
    [server, broker] = await Promise.all([startOurServer(), startOurBroker({ heartbeatMs: HEARTBEAT_MS })]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), broker?.stop()]);
  });

  it('passes every suite, devices on the HTTP device API (the full run)', async () => {
    const started = performance.now();
    const { results, report } = await runAgainst({
      url: server.url,
      suites: SUITES.map((suite) => suite.name),
      broker: { server: broker, heartbeatMs: HEARTBEAT_MS },
      quiet: true,
    });
    console.log(
      `${report}\nfull run against our server on SQLite: ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(failures(results), server.logs()).toEqual([]);
    expect(unexpectedSkips(results)).toEqual([]);
    expect(new Set(results.map((r) => r.suite))).toEqual(new Set(SUITES.map((suite) => suite.name)));
  });

  it.each(['exoport', 'broker'] as const)(
    'passes the suites that play devices with devices on %s',
    async (deviceApi) => {
      const { results, report } = await runAgainst({ url: server.url, suites: DEVICE_SUITES, deviceApi, quiet: true });
      console.log(`${deviceApi}:\n${report}`);
      expect(failures(results), server.logs()).toEqual([]);
      expect(unexpectedSkips(results)).toEqual([]);
    },
  );
});
