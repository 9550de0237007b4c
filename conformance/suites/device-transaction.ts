import { type Check, CheckFailure, need } from '../runner/check.ts';
import type { PlayedDevice, Work } from '../runner/devices/device.ts';
import { ensure, equal, includes, sameId } from '../runner/expect.ts';
import type { Endpoint } from '../runner/listener.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { EXOSENSE_PACKAGE, WEATHER_APP } from './modules.ts';
import { QUIET_MS, readArea, STATUS_TEXT } from './shared.ts';

const EXOSENSE = 'exosense-1.1';
const WEATHER = 'weather_app-1.0';

/**
 * Manual §7.2 Fig. 9, steps 1–18: two configuration updates for device "1"
 * (Example 1, §6.3) staged, pushed as one device transaction, fetched by the
 * device when it calls in, confirmed, installed and reported to the backend.
 */
export const deviceTransaction: Suite = {
  name: 'device-transaction',
  title: 'Fig. 9 (manual §7.2)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'dt');
    await tenant.module(EXOSENSE, EXOSENSE_PACKAGE);
    await tenant.module(WEATHER, WEATHER_APP);
    const device: PlayedDevice = await tenant.device('1');
    const backend: Endpoint = env.listener.endpoint('fig9');
    const read = (module: string, area: string) => readArea(tenant, '1', module, area);
    let first: Record<string, unknown> | undefined;
    let second: Record<string, unknown> | undefined;
    let receipt: Record<string, unknown> | undefined;
    let work: Work | undefined;
    const step = (n: number, text: string, run: () => Promise<void>): Check => ({
      name: `Fig. 9 step ${n}: ${text}`,
      run,
    });

    const checks: Check[] = [
      step(1, 'the backend sends the first configuration update (ip_addr of exosense-1.1)', async () => {
        const reply = await tenant.call('exodm:update-config-data', {
          'device-id': '1',
          module: EXOSENSE,
          values: { ip_addr: '10.0.0.1' },
        });
        ensure(
          reply.status === 200 && reply.error === undefined,
          `update-config-data answered ${JSON.stringify(reply)}`,
        );
        first = reply.result;
      }),
      step(2, 'the update is prepared as a transaction, not sent: staged, nothing pending or installed', async () => {
        equal(await read(EXOSENSE, 'staged'), { ip_addr: '10.0.0.1' }, 'staged exosense-1.1');
        equal(await read(EXOSENSE, 'pending'), {}, 'pending exosense-1.1');
        equal(await read(EXOSENSE, 'installed'), {}, 'installed exosense-1.1');
      }),
      step(3, 'the backend gets the ack of the first update', async () => {
        equal(need(first, 'the answer of step 1'), { result: 'ok' }, 'answer to the first update');
      }),
      step(4, 'the backend sends the second configuration update (location of weather_app-1.0)', async () => {
        const reply = await tenant.call('exodm:update-config-data', {
          'device-id': '1',
          module: WEATHER,
          values: { location: 'Bro' },
        });
        ensure(
          reply.status === 200 && reply.error === undefined,
          `update-config-data answered ${JSON.stringify(reply)}`,
        );
        second = reply.result;
      }),
      step(5, 'the second update is prepared beside the first, neither sent', async () => {
        equal(await read(WEATHER, 'staged'), { location: 'Bro' }, 'staged weather_app-1.0');
        equal(await read(EXOSENSE, 'staged'), { ip_addr: '10.0.0.1' }, 'staged exosense-1.1 after the second update');
        equal(await read(WEATHER, 'pending'), {}, 'pending weather_app-1.0');
      }),
      step(6, 'the backend gets the ack of the second update', async () => {
        equal(need(second, 'the answer of step 4'), { result: 'ok' }, 'answer to the second update');
      }),
      step(7, 'the backend asks for the configuration data to be pushed to the device', async () => {
        const reply = await tenant.call('exodm:push-config-data', {
          'device-id': '1',
          timeout: '{in 1 hours}',
          'notification-url': backend.url,
        });
        ensure(reply.status === 200 && reply.error === undefined, `push-config-data answered ${JSON.stringify(reply)}`);
        receipt = reply.result;
      }),
      step(
        8,
        'both updates are queued as one transaction: both pending, nothing staged, nothing installed',
        async () => {
          equal(await read(EXOSENSE, 'pending'), { ip_addr: '10.0.0.1' }, 'pending exosense-1.1');
          equal(await read(WEATHER, 'pending'), { location: 'Bro' }, 'pending weather_app-1.0');
          equal(await read(EXOSENSE, 'staged'), {}, 'staged exosense-1.1');
          equal(await read(WEATHER, 'staged'), {}, 'staged weather_app-1.0');
          equal(await read(WEATHER, 'installed'), {}, 'installed weather_app-1.0');
        },
      ),
      step(9, 'the device queue confirms the transaction with a device-unique id', async () => {
        const id = need(receipt, 'the receipt of step 7')['transaction-id'];
        ensure(/^\d+$/.test(String(id)), `the receipt's transaction-id is no transaction id: ${JSON.stringify(id)}`);
      }),
      step(10, 'the backend gets the confirmation that the transaction is queued (accepted, not final)', async () => {
        const got = need(receipt, 'the receipt of step 7');
        equal(
          { ...got, 'transaction-id': undefined },
          {
            result: 'ok',
            'rpc-status': 'accepted',
            'rpc-status-string': STATUS_TEXT.accepted,
            final: false,
          },
          'receipt',
        );
      }),
      step(11, 'the device connects to the server and is seen', async () => {
        await device.connect();
        const seen = await tenant.call('exodm:lookup-device-attributes', {
          'device-id': '1',
          attributes: ['is-connected'],
        });
        equal(seen.result?.attributes, [{ name: 'is-connected', val: 'true' }], 'is-connected after the call-in');
      }),
      step(12, 'the plugin asks the device queue for queued transactions and finds one', async () => {
        work = await device.take(env.waitMs);
        ensure(work !== undefined, `the device found no transaction within ${env.waitMs} ms`);
      }),
      step(13, 'the device queue returns the transaction created in step 8, under its id', async () => {
        const got = need(work, 'the transaction of step 12');
        sameId(got.transactionId, need(receipt, 'the receipt of step 7')['transaction-id'], 'transaction id');
        equal(got.kind, 'config', 'kind of transaction');
        const extra = await device.take(QUIET_MS);
        ensure(
          extra === undefined || extra.transactionId === got.transactionId,
          `a second transaction was queued: ${JSON.stringify(extra?.raw)}`,
        );
      }),
      step(
        14,
        'the plugin forwards the transaction to the device: both updates in staging order, not installed yet',
        async () => {
          const got = need(work, 'the transaction of step 12');
          includes(
            got.params,
            {
              updates: [
                { module: EXOSENSE, values: { ip_addr: '10.0.0.1' } },
                { module: WEATHER, values: { location: 'Bro' } },
              ],
            },
            'the transaction the device got',
          );
          equal(await read(EXOSENSE, 'installed'), {}, 'installed exosense-1.1 before the device confirmed');
          equal(
            await read(WEATHER, 'pending'),
            { location: 'Bro' },
            'pending weather_app-1.0 before the device confirmed',
          );
        },
      ),
      step(15, 'the device confirms the transaction to the plugin', async () => {
        const outcome = await device.ack(need(work, 'the transaction of step 12'), 'complete');
        if (!outcome.accepted)
          throw new CheckFailure(`the confirmation was refused: ${JSON.stringify(outcome.answer)}`);
      }),
      step(16, 'the device queue marks the transaction complete and removes it', async () => {
        const again = await device.take(QUIET_MS);
        ensure(again === undefined, `the device got a transaction after confirming: ${JSON.stringify(again?.raw)}`);
        equal(await read(EXOSENSE, 'pending'), {}, 'pending exosense-1.1 after the confirmation');
      }),
      step(17, 'the acknowledgment reaches the JSON-RPC module: both updates installed', async () => {
        equal(await read(EXOSENSE, 'installed'), { ip_addr: '10.0.0.1' }, 'installed exosense-1.1');
        equal(await read(WEATHER, 'installed'), { location: 'Bro' }, 'installed weather_app-1.0');
      }),
      step(18, 'the acknowledgment reaches the backend at its notification URL', async () => {
        const id = need(receipt, 'the receipt of step 7')['transaction-id'];
        const final = await backend.waitFor((r) => r.body.params?.final === true, 'final callback', env.waitMs);
        sameId(final.body.params?.['transaction-id'], id, 'transaction-id of the callback');
        equal(
          { ...final.body, params: { ...final.body.params, 'transaction-id': undefined } },
          {
            jsonrpc: '2.0',
            method: 'exodm:push-config-data-callback',
            params: {
              'device-id': '1',
              'rpc-status': 'complete',
              'rpc-status-string': STATUS_TEXT.complete,
              final: true,
            },
          },
          'final callback',
        );
        ensure(
          final.headers.get('content-type')?.startsWith('application/json') === true,
          `callback content-type ${final.headers.get('content-type')}`,
        );
      }),
    ];
    return { checks, dispose: () => tenant.dispose() };
  },
};
