import { type Check, CheckFailure, need } from '../runner/check.ts';
import { pause } from '../runner/devices/device.ts';
import { ensure, equal, includes, sameId } from '../runner/expect.ts';
import type { Endpoint, Received } from '../runner/listener.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { RPC_MODULE, RPC_YANG, WEATHER_APP } from './modules.ts';
import { QUIET_MS, readArea, STATUS_TEXT } from './shared.ts';

const isFinal = (r: Received) => r.body.params?.final === true;

/**
 * Manual §8.3: data is queued "until either the device comes on-line, or a
 * timeout occurs", the interval given by the request. A transaction nobody
 * completes ends in a `time-out` callback (docs/server.md: never silence),
 * and the device's late answer is refused. The suite gives its transactions
 * a short timeout (`--short-timeout-ms`).
 */
export const timeouts: Suite = {
  name: 'timeouts',
  title: 'time-outs (manual §8.3)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'to');
    await tenant.module(RPC_MODULE, RPC_YANG);
    await tenant.module('weather_app-1.0', WEATHER_APP);
    await tenant.grant('admin', RPC_MODULE, 'beep');
    const short = env.shortTimeoutMs;
    // a time-out is due after the timeout; the server's sweep may take a little longer
    const budget = short + env.waitMs;
    const beep = async (deviceId: string, backend: Endpoint, timeout: unknown = String(short)) => {
      const reply = await tenant.call(`${RPC_MODULE}:beep`, {
        'device-id': deviceId,
        timeout,
        'notification-url': backend.url,
        text: 'anyone there?',
      });
      if (reply.result?.['rpc-status'] !== 'accepted')
        throw new CheckFailure(`${RPC_MODULE}:beep answered ${JSON.stringify(reply)}`);
      return reply.result['transaction-id'];
    };
    const timedOut = (backend: Endpoint, what: string) =>
      backend.waitFor((r) => isFinal(r) && r.body.params?.['rpc-status'] === 'time-out', what, budget);

    const silent = await tenant.device('silent');
    const taker = await tenant.device('taker');
    const prompt = await tenant.device('prompt');
    const cron = await tenant.device('cron');
    const configured = await tenant.device('configured');
    const members = [await tenant.device('m-1'), await tenant.device('m-2')];
    await tenant.group('g', undefined);
    await tenant.join('g', ['m-1', 'm-2']);
    let lateWork: Awaited<ReturnType<typeof taker.take>>;
    let takerBackend: Endpoint | undefined;

    // the transactions left to time out start together, so that their timeouts run side by side
    const silentBackend = env.listener.endpoint('silent');
    // a JSON number here, decimal text elsewhere: both are milliseconds
    const silentId = await beep('silent', silentBackend, short);
    const cronBackend = env.listener.endpoint('cron');
    await beep('cron', cronBackend, `{in ${Math.max(1, Math.ceil(short / 1000))} sec}`);
    await tenant.ok('exodm:update-config-data', {
      'device-id': 'configured',
      module: 'weather_app-1.0',
      values: { location: 'Kiruna' },
    });
    const configBackend = env.listener.endpoint('config');
    await tenant.ok('exodm:push-config-data', {
      'device-id': 'configured',
      timeout: String(short),
      'notification-url': configBackend.url,
    });
    const groupBackend = env.listener.endpoint('group');
    const groupId = await beep('g', groupBackend);
    const [answering, idle] = members as [(typeof members)[0], (typeof members)[0]];
    await answering.connect();
    const answered = await answering.take(env.waitMs);
    const answer = answered === undefined ? undefined : await answering.ack(answered, 'complete');

    const checks: Check[] = [
      {
        name: '§8.3 case 3: a device RPC to a device that never calls in ends in a time-out callback',
        async run() {
          const final = await timedOut(silentBackend, 'time-out callback');
          sameId(final.body.params?.['transaction-id'], silentId, 'transaction-id');
          equal(
            { ...final.body, params: { ...final.body.params, 'transaction-id': undefined } },
            {
              jsonrpc: '2.0',
              method: `${RPC_MODULE}:beep-callback`,
              params: {
                'device-id': 'silent',
                'rpc-status': 'time-out',
                'rpc-status-string': STATUS_TEXT['time-out'],
                final: true,
              },
            },
            'time-out callback',
          );
          ensure(
            (await silent.take(QUIET_MS)) === undefined,
            'the device was handed the transaction after its time-out',
          );
        },
      },
      {
        name: '§8.3: a device that took the transaction and never answers ends in a time-out callback too',
        async run() {
          takerBackend = env.listener.endpoint('taker');
          await beep('taker', takerBackend);
          await taker.connect();
          lateWork = await taker.take(env.waitMs);
          ensure(lateWork !== undefined, 'the device found no transaction');
          await timedOut(takerBackend, 'time-out callback after the device took the transaction');
          equal(
            takerBackend.received.map((r) => [r.body.params?.['rpc-status'], r.body.params?.final]),
            [
              ['device-connected', false],
              ['time-out', true],
            ],
            'callbacks of the transaction (device-connected when the device took it, then the time-out)',
          );
        },
      },
      {
        name: "§8.3: the device's answer after the time-out is refused and changes nothing",
        async run() {
          const work = need(lateWork, 'the transaction the device took');
          const outcome = await taker.ack(work, 'complete');
          ensure(!outcome.accepted, `an ack after the time-out was accepted: ${JSON.stringify(outcome.answer)}`);
          await pause(QUIET_MS);
          const finals = need(takerBackend, 'the endpoint').received.filter(isFinal);
          equal(
            finals.map((r) => r.body.params?.['rpc-status']),
            ['time-out'],
            'final callbacks',
          );
        },
      },
      {
        name: '§8.3: within its timeout a transaction is not timed out: a prompt answer completes it',
        async run() {
          const backend = env.listener.endpoint('prompt');
          await beep('prompt', backend, String(short * 4));
          await prompt.connect();
          const work = await prompt.take(env.waitMs);
          ensure(work !== undefined, 'the device found no transaction');
          const outcome = await prompt.ack(work, 'complete');
          ensure(outcome.accepted, `the prompt answer was refused: ${JSON.stringify(outcome.answer)}`);
          const final = await backend.waitFor(isFinal, 'final callback', env.waitMs);
          equal(final.body.params?.['rpc-status'], 'complete', 'final status');
        },
      },
      {
        name: 'the timeout in the real server\'s timer syntax ("{in N sec}") ends in a time-out callback',
        async run() {
          await timedOut(cronBackend, 'time-out callback');
          ensure((await cron.take(QUIET_MS)) === undefined, 'the device was handed the transaction after its time-out');
        },
      },
      {
        name: '§7.1: a configuration push that times out installs nothing; its values go back to staged',
        async run() {
          const final = await timedOut(configBackend, 'time-out callback of the push');
          equal(final.body.method, 'exodm:push-config-data-callback', 'callback method');
          equal(await readArea(tenant, 'configured', 'weather_app-1.0', 'installed'), {}, 'installed values');
          equal(await readArea(tenant, 'configured', 'weather_app-1.0', 'pending'), {}, 'pending values');
          equal(
            await readArea(tenant, 'configured', 'weather_app-1.0', 'staged'),
            { location: 'Kiruna' },
            'staged values',
          );
          ensure((await configured.take(QUIET_MS)) === undefined, 'the device was handed the push after its time-out');
        },
      },
      {
        name: '§7.3: a group member that never answers times out; the group ends with the time-out, not complete',
        async run() {
          ensure(answered !== undefined, 'm-1 found no transaction');
          ensure(answer?.accepted === true, `m-1's answer was refused: ${JSON.stringify(answer?.answer)}`);
          const member = await groupBackend.waitFor(
            (r) => r.body.params?.['device-id'] === 'm-2' && r.body.params['rpc-status'] === 'time-out',
            "m-2's time-out callback",
            budget,
          );
          includes(member.body.params, { 'group-id': 'g', final: false }, "m-2's callback");
          const final = await groupBackend.waitFor(isFinal, "the group's final callback", budget);
          sameId(final.body.params?.['transaction-id'], groupId, 'transaction-id');
          includes(
            final.body.params,
            { 'device-id': 'g', 'group-id': 'g', 'rpc-status': 'time-out' },
            "the group's final callback",
          );
          ensure((await idle.take(QUIET_MS)) === undefined, 'm-2 was handed the transaction after its time-out');
        },
      },
    ];
    return { checks, dispose: () => tenant.dispose() };
  },
};
