import { type Check, CheckFailure, need } from '../runner/check.ts';
import type { PlayedDevice, Work } from '../runner/devices/device.ts';
import { ensure, equal, includes } from '../runner/expect.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { EXOSENSE_PACKAGE, WEATHER_APP } from './modules.ts';
import { QUIET_MS, readArea } from './shared.ts';

const WEATHER = 'weather_app-1.0';
const EXOSENSE = 'exosense-1.1';

/**
 * Manual §7.1: configuration data goes staged (update-config) → pending
 * (push-config-data) → installed (the device's acknowledgment); §5.8 and
 * §6.4: a group's values are its members' defaults, a member's own values
 * override them, and a member's own change never reaches the group.
 */
export const configLifecycle: Suite = {
  name: 'config-lifecycle',
  title: 'configuration data (manual §7.1, §5.8)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'cl');
    await tenant.module(WEATHER, WEATHER_APP);
    await tenant.module(EXOSENSE, EXOSENSE_PACKAGE);
    const solo = await tenant.device('solo');
    const members = new Map<string, PlayedDevice>();
    for (const id of ['member-a', 'member-b']) members.set(id, await tenant.device(id));
    await tenant.group('fleet');
    await tenant.join('fleet', ['member-a', 'member-b']);
    const area = (target: string, areaName: string, module = WEATHER) => readArea(tenant, target, module, areaName);
    const update = (target: string, values: Record<string, unknown>, module = WEATHER) =>
      tenant.call('exodm:update-config-data', { 'device-id': target, module, values });
    const backend = env.listener.endpoint('config');
    let work: Work | undefined;
    const memberWork = new Map<string, Work>();

    /** A device takes its pending configuration (waiting for it) and returns it. */
    async function fetch(device: PlayedDevice): Promise<Work> {
      await device.connect();
      const got = await device.take(env.waitMs);
      if (got === undefined) throw new CheckFailure(`${device.id} found no configuration within ${env.waitMs} ms`);
      return got;
    }

    const checks: Check[] = [
      {
        name: '§7.1 step 1: update-config stores the values on the server without sending them (staged)',
        async run() {
          equal((await update('solo', { location: 'Bro' })).result, { result: 'ok' }, 'update-config-data');
          equal(await area('solo', 'staged'), { location: 'Bro' }, 'staged');
          equal(await area('solo', 'pending'), {}, 'pending');
          equal(await area('solo', 'installed'), {}, 'installed');
          await solo.connect();
          const sent = await solo.take(QUIET_MS);
          ensure(sent === undefined, `the device got a transaction before any push: ${JSON.stringify(sent?.raw)}`);
        },
      },
      {
        name: '§7.1 step 1: further updates merge into the staged values (a member merges, null removes it)',
        async run() {
          await update('solo', { sample_rate: 5 });
          equal(await area('solo', 'staged'), { location: 'Bro', sample_rate: 5 }, 'staged after a second update');
          await update('solo', { sample_rate: null });
          equal(await area('solo', 'staged'), { location: 'Bro' }, 'staged after removing sample_rate');
        },
      },
      {
        name: '§5.6: values the module refuses are not staged (validation-failed)',
        async run() {
          const refused = await update('solo', { ip_addr: 'ten.zero.zero.one' }, EXOSENSE);
          equal(refused.result?.result, 'validation-failed', 'update-config-data of a bad ip_addr');
          equal(await area('solo', 'staged', EXOSENSE), {}, 'staged exosense-1.1');
          const wrongType = await update('solo', { sample_rate: 'fast' });
          ensure(
            wrongType.result?.result === 'validation-failed' || wrongType.error?.code === -32602,
            `a string sample_rate was not refused: ${JSON.stringify(wrongType)}`,
          );
          equal(await area('solo', 'staged'), { location: 'Bro' }, 'staged weather_app-1.0');
        },
      },
      {
        name: '§7.1 step 2: push-config-data queues the staged values as a device transaction (pending)',
        async run() {
          const pushed = await tenant.call('exodm:push-config-data', {
            'device-id': 'solo',
            'notification-url': backend.url,
          });
          equal(pushed.result?.['rpc-status'], 'accepted', 'push-config-data receipt');
          equal(await area('solo', 'pending'), { location: 'Bro' }, 'pending');
          equal(await area('solo', 'staged'), {}, 'staged');
          equal(await area('solo', 'installed'), {}, 'installed');
        },
      },
      {
        name: '§7.1 step 3: once the device is on-line the transaction is sent to it',
        async run() {
          work = await fetch(solo);
          includes(work.params, { updates: [{ module: WEATHER, values: { location: 'Bro' } }] }, 'the transaction');
        },
      },
      {
        name: '§7.1 step 4: while the device executes the transaction nothing is installed',
        async run() {
          need(work, 'the transaction of step 3');
          equal(await area('solo', 'installed'), {}, 'installed before the acknowledgment');
          equal(await area('solo', 'pending'), { location: 'Bro' }, 'pending before the acknowledgment');
        },
      },
      {
        name: "§7.1 step 5: the device's acknowledgment installs the values",
        async run() {
          const outcome = await solo.ack(need(work, 'the transaction of step 3'), 'complete');
          ensure(outcome.accepted, `the acknowledgment was refused: ${JSON.stringify(outcome.answer)}`);
          await backend.waitFor((r) => r.body.params?.final === true, 'the final callback', env.waitMs);
          equal(await area('solo', 'installed'), { location: 'Bro' }, 'installed');
          equal(await area('solo', 'pending'), {}, 'pending');
          equal(
            (await tenant.call('exodm:read-config-data', { 'device-id': 'solo', module: WEATHER })).result?.values,
            { location: 'Bro' },
            'read-config-data without an area (installed)',
          );
        },
      },
      {
        name: '§7.2: a configuration the device fails installs nothing; its values go back to staged',
        async run() {
          await update('solo', { location: 'Umeå' });
          const failing = env.listener.endpoint('failing');
          await tenant.ok('exodm:push-config-data', { 'device-id': 'solo', 'notification-url': failing.url });
          const got = await fetch(solo);
          const outcome = await solo.ack(got, 'device-error');
          ensure(outcome.accepted, `the failure report was refused: ${JSON.stringify(outcome.answer)}`);
          const final = await failing.waitFor((r) => r.body.params?.final === true, 'the final callback', env.waitMs);
          equal(final.body.params?.['rpc-status'], 'device-error', 'status of the final callback');
          equal(await area('solo', 'installed'), { location: 'Bro' }, 'installed after the failure');
          equal(await area('solo', 'pending'), {}, 'pending after the failure');
          equal(await area('solo', 'staged'), { location: 'Umeå' }, 'staged after the failure');
        },
      },
      {
        name: '§7.1: the values a failure put back are pushed again by the next push, and install over the earlier ones',
        async run() {
          const retried = env.listener.endpoint('retried');
          await tenant.ok('exodm:push-config-data', { 'device-id': 'solo', 'notification-url': retried.url });
          const got = await fetch(solo);
          includes(got.params, { updates: [{ module: WEATHER, values: { location: 'Umeå' } }] }, 'the second push');
          ensure((await solo.ack(got, 'complete')).accepted, 'the acknowledgment was refused');
          await retried.waitFor((r) => r.body.params?.final === true, 'the final callback', env.waitMs);
          equal(await area('solo', 'installed'), { location: 'Umeå' }, 'installed after the second push');
        },
      },
      {
        name: "§5.8: a group's values are its members' defaults; a member's own values override them leaf by leaf",
        async run() {
          await update('fleet', { location: 'Bro', sample_rate: 10 });
          await update('member-b', { sample_rate: 128 });
          await tenant.ok('exodm:push-config-data', { 'device-id': 'fleet', 'notification-url': backend.url });
          for (const [id, values] of [
            ['member-a', { location: 'Bro', sample_rate: 10 }],
            ['member-b', { location: 'Bro', sample_rate: 128 }],
          ] as const) {
            const got = await fetch(members.get(id)!);
            memberWork.set(id, got);
            includes(got.params, { updates: [{ module: WEATHER, values }] }, `${id}'s configuration`);
          }
        },
      },
      {
        name: "§7.3: the group's values are installed once every member acknowledged",
        async run() {
          const [first, second] = ['member-a', 'member-b'].map((id) => need(memberWork.get(id), `${id}'s transaction`));
          ensure(
            (await members.get('member-a')!.ack(first!, 'complete')).accepted,
            "member-a's acknowledgment was refused",
          );
          equal(await area('fleet', 'installed'), {}, "the group's installed values with member-b outstanding");
          ensure(
            (await members.get('member-b')!.ack(second!, 'complete')).accepted,
            "member-b's acknowledgment was refused",
          );
          const deadline = Date.now() + env.waitMs;
          let installed = await area('fleet', 'installed');
          while (JSON.stringify(installed) === '{}' && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            installed = await area('fleet', 'installed');
          }
          equal(installed, { location: 'Bro', sample_rate: 10 }, "the group's installed values");
        },
      },
      {
        name: "§6.4: a member's own configuration is not pushed to its group",
        async run() {
          for (const name of ['staged', 'pending', 'installed']) {
            const values = (await area('fleet', name)) as Record<string, unknown>;
            ensure(
              values.sample_rate !== 128,
              `the group's ${name} values took member-b's own sample_rate: ${JSON.stringify(values)}`,
            );
          }
        },
      },
      {
        name: "§6.4: a device added to a group while the group's push is open gets that push too",
        async run() {
          const late = await tenant.device('member-late');
          await update('fleet', { location: 'Gävle' });
          await tenant.ok('exodm:push-config-data', { 'device-id': 'fleet' });
          await tenant.join('fleet', ['member-late']);
          const got = await fetch(late);
          includes(
            got.params,
            { updates: [{ module: WEATHER, values: { location: 'Gävle', sample_rate: 10 } }] },
            "the late member's configuration",
          );
          for (const [id, device] of [...members, ['member-late', late] as const]) {
            const work = id === 'member-late' ? got : await fetch(device);
            ensure((await device.ack(work, 'complete')).accepted, `${id}'s acknowledgment was refused`);
          }
        },
      },
      {
        name: "§5.8: a member pushed on its own gets its group's values under its own",
        async run() {
          await update('member-a', { location: 'Luleå' });
          await tenant.ok('exodm:push-config-data', { 'device-id': 'member-a' });
          const got = await fetch(members.get('member-a')!);
          includes(
            got.params,
            { updates: [{ module: WEATHER, values: { location: 'Luleå', sample_rate: 10 } }] },
            "member-a's configuration",
          );
          ensure(
            (await members.get('member-a')!.ack(got, 'complete')).accepted,
            "member-a's acknowledgment was refused",
          );
        },
      },
    ];
    return { checks, dispose: () => tenant.dispose() };
  },
};
