import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchFunction, Handlers } from '../src/index.ts';
import { agentFor, gate } from './agent-fixture.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus, rangeLog, recordingInstaller } from './package-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

// What the agent does today when the backend cancels the install it is transferring (docs/decisions/agent-packages.md,
// Consequences): the server answers the acknowledgements of a transaction being cancelled as any other (200), so the
// agent learns of the cancel only at its next beat; a transfer and install that finish first complete the transaction.
describe('a package install the backend cancels while the agent transfers it', () => {
  let t: TestServer;
  const image = imageOf(40 * CHUNK, 71);
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    await createPackage(t, 'big', image, { version: '1.0' });
  });
  afterAll(() => t.close());

  it('is not noticed between chunk requests: the transfer and install finishing first complete the transaction', async () => {
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
    expect(await device.events.next('package', (e) => e.status !== 'transferring')).toMatchObject({
      status: 'installed',
    });
    // every acknowledgement after the cancel was answered 200, and the agent fetched the rest of the image
    expect(acknowledgements).toEqual([200, 200, 200]);
    expect(fetchFunction.requests.map((r) => [r.first, r.end])).toEqual([
      [0, 16],
      [16, 32],
      [32, 40],
    ]);
    expect(installed.map((entry) => entry.bytes)).toEqual([image]);
    // the device's final ack of its current attempt ends the cancelling transaction (txqueue's state machine)
    expect(await t.transaction('pkg-cancel', id)).toMatchObject({ state: 'complete' });
    expect(await packageStatus(t, 'big', 'pkg-cancel')).toMatchObject({ 'package-status': 'installed' });
    await device.agent.stop();
  });
});
