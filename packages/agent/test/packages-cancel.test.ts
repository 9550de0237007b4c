import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchFunction, Handlers } from '../src/index.ts';
import { agentFor, gate } from './agent-fixture.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus, rangeLog, recordingInstaller } from './package-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

// The backend cancels the install the agent is transferring: the server answers the next acknowledgement 409
// `cancelling`, the agent stops fetching, installs nothing and confirms the cancel
// (docs/decisions/agent-packages.md).
describe('a package install the backend cancels while the agent transfers it', () => {
  let t: TestServer;
  const image = imageOf(40 * CHUNK, 71);
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    await createPackage(t, 'big', image, { version: '1.0' });
  });
  afterAll(() => t.close());

  it('stops at the next acknowledgement, installs nothing and confirms the cancel', async () => {
    const installed: { name: string; bytes: Uint8Array }[] = [];
    // the second Range request waits until the backend has cancelled
    const held = gate();
    const reached = gate();
    const acknowledgements: number[] = [];
    const holding: FetchFunction = async (input, init) => {
      if (/\/image$/.test(input) && new Headers(init.headers).get('range')?.startsWith(`bytes=${16 * CHUNK}-`)) {
        reached.open();
        await held.promise;
      }
      const response = await t.fetch(input, init);
      if (/\/chunks$/.test(input)) acknowledgements.push(response.status);
      return response;
    };
    const fetchFunction = rangeLog(holding);
    const device = agentFor(t, 'pkg-cancel', {
      fetch: fetchFunction,
      handlers: new Handlers().packageInstaller('big', recordingInstaller(installed)),
    });
    device.agent.start();
    const wait = await device.events.next('waiting');
    const reply = await must(t, 'exodm:install-package', { 'package-name': 'big', targets: ['pkg-cancel'] });
    const id = Number(reply['transaction-id']);
    device.clock.advance(wait.delayMs);
    await reached.promise;
    const cancel = await t.acme('exodm:cancel-transaction', { 'device-id': 'pkg-cancel', 'transaction-id': id });
    expect(cancel.result).toMatchObject({ result: 'ok', transaction: { state: 'cancelling' } });
    held.open();
    const settled = await device.events.next('waiting');
    // the acknowledgement after the cancel was refused, and no chunk was asked for after it
    expect(acknowledgements).toEqual([200, 409]);
    expect(fetchFunction.requests.map((r) => [r.first, r.end])).toEqual([
      [0, 16],
      [16, 32],
    ]);
    expect(installed).toEqual([]);
    expect(settled.delayMs).toBeGreaterThan(0);
    expect(device.events.all('command').filter((event) => event.status === 'cancelled')).toHaveLength(1);
    expect(await t.transaction('pkg-cancel', id)).toMatchObject({ state: 'cancelled' });
    expect(await packageStatus(t, 'big', 'pkg-cancel')).not.toMatchObject({ 'package-status': 'installed' });
    await device.agent.stop();
  });
});
