import { type Check, CheckFailure, need } from '../runner/check.ts';
import type { PlayedDevice, Work } from '../runner/devices/device.ts';
import { ensure, equal, includes, sameId } from '../runner/expect.ts';
import type { Received } from '../runner/listener.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { WEATHER_APP } from './modules.ts';
import { QUIET_MS, readArea, STATUS_TEXT } from './shared.ts';

const WEATHER = 'weather_app-1.0';

/**
 * Manual §7.3 Fig. 10, steps 1–20: a configuration push to device group 1
 * (§6.4 Fig. 8: members 2 and 3) becomes one group transaction, cascaded to
 * a hidden sub-transaction per member; the backend hears each member as it
 * finishes and the group once both have.
 */
export const groupTransaction: Suite = {
  name: 'group-transaction',
  title: 'Fig. 10 (manual §7.3)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'gt');
    await tenant.module(WEATHER, WEATHER_APP);
    const devices = new Map<string, PlayedDevice>();
    for (const id of ['2', '3']) devices.set(id, await tenant.device(id));
    // each device has finished a transaction of its own before, so that its sub-transaction's id (Fig. 10:
    // 222, 333) differs from the group's (111) and a callback naming the wrong one shows
    for (const [id, own] of [
      ['2', { location: 'Bro' }],
      ['3', { sample_rate: 128 }],
    ] as const) {
      await tenant.ok('exodm:update-config-data', { 'device-id': id, module: WEATHER, values: own });
      await tenant.ok('exodm:push-config-data', { 'device-id': id });
      const device = devices.get(id)!;
      await device.connect();
      const earlier = await device.take(env.waitMs);
      if (earlier === undefined || !(await device.ack(earlier, 'complete')).accepted) {
        throw new CheckFailure(`device ${id} could not finish its own configuration before the figure`);
      }
    }
    await tenant.group('1');
    await tenant.join('1', ['2', '3']);
    // the set-config call the figure leaves out: the group's defaults, under device 3's own rate (§5.8)
    await tenant.ok('exodm:update-config-data', {
      'device-id': '1',
      module: WEATHER,
      values: { location: 'Bro', sample_rate: 10 },
    });
    const backend = env.listener.endpoint('fig10');
    const works = new Map<string, Work>();
    let receipt: Record<string, unknown> | undefined;
    const device = (id: string): PlayedDevice => devices.get(id)!;
    const memberDone = (id: string) => (r: Received) =>
      r.body.params?.['device-id'] === id && r.body.params['rpc-status'] === 'complete';
    const isFinal = (r: Received) => r.body.params?.final === true;
    const step = (n: number, text: string, run: () => Promise<void>): Check => ({
      name: `Fig. 10 step ${n}: ${text}`,
      run,
    });

    const cascade = (n: number, id: string, values: Record<string, unknown>): Check[] => [
      step(
        n,
        `the group queue cascades the transaction to the queue of device ${id}: device ${id} finds it`,
        async () => {
          await device(id).connect();
          const work = await device(id).take(env.waitMs);
          ensure(work !== undefined, `device ${id} found no transaction within ${env.waitMs} ms`);
          works.set(id, work);
          equal(work.kind, 'config', `kind of device ${id}'s transaction`);
        },
      ),
      step(
        n + 1,
        `the transaction is stored for device ${id} under an id of its own, the only one it has`,
        async () => {
          const work = need(works.get(id), `device ${id}'s transaction of step ${n}`);
          ensure(Number.isSafeInteger(work.transactionId), `device ${id}'s transaction id is ${work.transactionId}`);
          const other = await device(id).take(QUIET_MS);
          ensure(
            other === undefined || other.transactionId === work.transactionId,
            `device ${id} has a second transaction: ${JSON.stringify(other?.raw)}`,
          );
        },
      ),
      step(
        n + 2,
        `device queue ${id} confirms the store: it holds the group's configuration for device ${id}`,
        async () => {
          const work = need(works.get(id), `device ${id}'s transaction of step ${n}`);
          includes(work.params, { updates: [{ module: WEATHER, values }] }, `device ${id}'s configuration`);
        },
      ),
    ];

    const checks: Check[] = [
      step(1, 'the backend asks for the configuration to be pushed to device group 1', async () => {
        const reply = await tenant.call('exodm:push-config-data', {
          'device-id': '1',
          'notification-url': backend.url,
        });
        ensure(
          reply.status === 200 && reply.result?.result === 'ok',
          `push-config-data answered ${JSON.stringify(reply)}`,
        );
        receipt = reply.result;
      }),
      step(
        2,
        'the server queues all prepared updates as one transaction of the group: pending, not staged',
        async () => {
          equal(
            await readArea(tenant, '1', WEATHER, 'pending'),
            { location: 'Bro', sample_rate: 10 },
            "the group's pending values",
          );
          equal(await readArea(tenant, '1', WEATHER, 'staged'), {}, "the group's staged values");
        },
      ),
      ...cascade(3, '2', { location: 'Bro', sample_rate: 10 }),
      ...cascade(6, '3', { location: 'Bro', sample_rate: 128 }),
      step(
        9,
        'the group transaction waits for both sub-transactions: nothing installed, no final callback',
        async () => {
          equal(await readArea(tenant, '1', WEATHER, 'installed'), {}, "the group's installed values");
          ensure(!backend.received.some(isFinal), 'a final callback came before any member completed');
        },
      ),
      step(10, "the group queue confirms the transaction as queued under the group's id", async () => {
        const id = need(receipt, 'the receipt of step 1')['transaction-id'];
        ensure(/^\d+$/.test(String(id)), `the receipt's transaction-id is no transaction id: ${JSON.stringify(id)}`);
      }),
      step(11, 'the confirmation reaches the backend with the sub-transactions hidden', async () => {
        equal(
          { ...need(receipt, 'the receipt of step 1'), 'transaction-id': undefined },
          { result: 'ok', 'rpc-status': 'accepted', 'rpc-status-string': STATUS_TEXT.accepted, final: false },
          'receipt',
        );
      }),
      step(12, 'device 2 executes its sub-transaction and confirms it', async () => {
        const outcome = await device('2').ack(need(works.get('2'), "device 2's transaction of step 3"), 'complete');
        if (!outcome.accepted)
          throw new CheckFailure(`device 2's confirmation was refused: ${JSON.stringify(outcome.answer)}`);
      }),
      step(13, "device queue 2 reports to the group queue: the backend hears device 2's outcome", async () => {
        const member = await backend.waitFor(memberDone('2'), "device 2's callback", env.waitMs);
        includes(
          member.body.params,
          { 'group-id': '1', 'rpc-status-string': STATUS_TEXT.complete, final: false },
          "device 2's callback",
        );
        sameId(
          member.body.params?.['transaction-id'],
          need(receipt, 'the receipt')['transaction-id'],
          "device 2's callback transaction-id",
        );
      }),
      step(14, 'the group queue marks sub-transaction 2 complete; with 3 left the group is not complete', async () => {
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
        ensure(
          !backend.received.some(isFinal),
          `the group completed with device 3 outstanding: ${JSON.stringify(backend.received.find(isFinal)?.body)}`,
        );
        equal(
          await readArea(tenant, '1', WEATHER, 'installed'),
          {},
          "the group's installed values with device 3 outstanding",
        );
      }),
      step(15, 'device 3 executes its sub-transaction and confirms it', async () => {
        const outcome = await device('3').ack(need(works.get('3'), "device 3's transaction of step 6"), 'complete');
        if (!outcome.accepted)
          throw new CheckFailure(`device 3's confirmation was refused: ${JSON.stringify(outcome.answer)}`);
      }),
      step(16, "device queue 3 reports to the group queue: the backend hears device 3's outcome", async () => {
        const member = await backend.waitFor(memberDone('3'), "device 3's callback", env.waitMs);
        includes(
          member.body.params,
          { 'group-id': '1', 'rpc-status-string': STATUS_TEXT.complete, final: false },
          "device 3's callback",
        );
        sameId(
          member.body.params?.['transaction-id'],
          need(receipt, 'the receipt')['transaction-id'],
          "device 3's callback transaction-id",
        );
      }),
      step(17, 'the group queue marks sub-transaction 3 complete: no sub-transaction is left', async () => {
        for (const id of ['2', '3']) {
          const left = await device(id).take(QUIET_MS);
          ensure(left === undefined, `device ${id} still has a transaction: ${JSON.stringify(left?.raw)}`);
        }
      }),
      step(18, 'the group queue marks the group transaction complete', async () => {
        const final = await backend.waitFor(isFinal, 'the final callback', env.waitMs);
        equal(final.body.params?.['rpc-status'], 'complete', 'status of the final callback');
      }),
      step(19, "the acknowledgment reaches the JSON-RPC module: the group's configuration is installed", async () => {
        equal(
          await readArea(tenant, '1', WEATHER, 'installed'),
          { location: 'Bro', sample_rate: 10 },
          "the group's installed values",
        );
      }),
      step(20, 'the acknowledgment of the group transaction reaches the backend', async () => {
        const final = await backend.waitFor(isFinal, 'the final callback', env.waitMs);
        sameId(
          final.body.params?.['transaction-id'],
          need(receipt, 'the receipt of step 1')['transaction-id'],
          'transaction-id',
        );
        equal(
          { ...final.body, params: { ...final.body.params, 'transaction-id': undefined } },
          {
            jsonrpc: '2.0',
            method: 'exodm:push-config-data-callback',
            params: {
              'device-id': '1',
              'group-id': '1',
              'rpc-status': 'complete',
              'rpc-status-string': STATUS_TEXT.complete,
              final: true,
            },
          },
          'final callback',
        );
        equal(backend.received.filter(isFinal).length, 1, 'final callbacks');
        // docs/server.md: the others are the members' (device-connected, their outcomes), never the group's own
        const others = backend.received.filter((r) => !isFinal(r)).map((r) => r.body.params?.['device-id']);
        ensure(
          others.every((id) => id === '2' || id === '3'),
          `a callback other than the final one names ${JSON.stringify(others)}`,
        );
      }),
    ];
    return { checks, dispose: () => tenant.dispose() };
  },
};
