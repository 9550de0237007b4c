import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUITES } from '../suites/index.ts';
import { failures, unexpectedSkips } from './expected-skips.ts';
import { type OurBroker, startOurBroker, TEST_HEARTBEAT_MS } from './our-broker.ts';
import { MASTER, type OurServer, startOurServer } from './our-server.ts';
import { DEVICE_SUITES, FULL_RUN_MS, runAgainst } from './run-against.ts';
import { withoutPackages } from './without-packages.ts';

describe('fleetkit-conformance against fleetkit-server on SQLite and fleetkit-broker', () => {
  let server: OurServer;
  let broker: OurBroker;
  beforeAll(async () => {
    [server, broker] = await Promise.all([startOurServer(), startOurBroker({ heartbeatMs: TEST_HEARTBEAT_MS })]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), broker?.stop()]);
  });

  it(
    'passes every suite, devices on the HTTP device API (the full run)',
    async () => {
      const started = performance.now();
      const { results, report } = await runAgainst({
        url: server.url,
        suites: SUITES.map((suite) => suite.name),
        broker: { server: broker, heartbeatMs: TEST_HEARTBEAT_MS },
        quiet: true,
      });
      console.log(
        `${report}\nfull run against our server on SQLite: ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(failures(results), server.logs()).toEqual([]);
      expect(unexpectedSkips(results)).toEqual([]);
      expect(new Set(results.map((r) => r.suite))).toEqual(new Set(SUITES.map((suite) => suite.name)));
    },
    FULL_RUN_MS,
  );

  it.each([
    ['exoport', DEVICE_SUITES],
    // the broker carries package transfers too (docs/server.md, Packages: Transfer (plugin broker))
    ['broker', [...DEVICE_SUITES, 'packages']],
  ] as const)('passes the suites that play devices with devices on %s', async (deviceApi, suites) => {
    const { results, report } = await runAgainst({ url: server.url, suites, deviceApi, quiet: true });
    console.log(`${deviceApi}:\n${report}`);
    expect(failures(results), server.logs()).toEqual([]);
    expect(unexpectedSkips(results)).toEqual([]);
  });

  /** The server's accounts, as its master user sees them. */
  const accounts = async (): Promise<string[]> => {
    const reply = await fetch(new URL('exodm/rpc', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuthHeader(MASTER.user, MASTER.password) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'exodm:list-accounts', params: { n: 1000 } }),
    });
    return ((await reply.json()) as { result: { accounts: { name: string }[] } }).result.accounts.map((a) => a.name);
  };

  it('deletes what the packages suite made: its packages, module, devices and account (delete-package)', async () => {
    const before = await accounts();
    const { results } = await runAgainst({ url: server.url, suites: ['packages'], quiet: true });
    expect(failures(results), server.logs()).toEqual([]);
    expect(await accounts()).toEqual(before);
  });

  it('skips the packages suite with the reason on a server without package methods, and leaves no account behind', async () => {
    const before = await accounts();
    const proxy = await withoutPackages(server.url);
    try {
      const { results } = await runAgainst({ url: proxy.url, suites: ['packages'], quiet: true });
      expect(results.map((r) => [r.status, r.reason])).toEqual([
        ['skipped', expect.stringMatching(/^the server has no packages: exodm:create-package answered .*-32601/)],
      ]);
    } finally {
      await proxy.close();
    }
    expect(await accounts()).toEqual(before);
  });

  it('skips the packages suite with the reason when devices are played on exoport, which has no package transfer', async () => {
    const { results } = await runAgainst({ url: server.url, suites: ['packages'], deviceApi: 'exoport', quiet: true });
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['skipped', expect.stringContaining('exoport devices cannot fetch images')],
    ]);
  });
});
