import { type Check, CheckFailure } from '../runner/check.ts';
import type { PlayedDevice, RpcAnswer } from '../runner/devices/device.ts';
import { ensure, equal, includes } from '../runner/expect.ts';
import type { Endpoint, Received } from '../runner/listener.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { RPC_MODULE, RPC_YANG } from './modules.ts';
import { QUIET_MS } from './shared.ts';

const REPORT = `${RPC_MODULE}:status-report`;
const PING = `${RPC_MODULE}:ping`;
const ALARM = `${RPC_MODULE}:alarm`;

/** A backend at a notification URL: it answers each device RPC as `label` (or with a JSON-RPC error). */
function answering(label: string, error = false) {
  return (request: Received): Response => {
    if (request.body.id === undefined) return new Response(null, { status: 204 });
    if (error) return Response.json({ jsonrpc: '2.0', id: request.body.id, error: { code: 4711, message: label } });
    const result = request.body.method === PING ? { pong: label } : { ack: label };
    return Response.json({ jsonrpc: '2.0', id: request.body.id, result });
  };
}

/** The device RPCs and notifications an endpoint received from `device`. */
function from(endpoint: Endpoint, device: string, method?: string): Received[] {
  return endpoint.received.filter(
    (r) =>
      r.body.params?.['device-id'] === device &&
      (method === undefined
        ? r.body.method !== undefined && !String(r.body.method).endsWith('-callback')
        : r.body.method === method),
  );
}

/**
 * Manual §5.4 and §5.8 with Fig. 2: where a device's own RPCs go and whose
 * reply the device gets — its own notification URL first, then its primary
 * group's, then the group it was last added to; every other reply is
 * dropped; and neither URL ever gets the callbacks of transactions.
 */
export const groupRouting: Suite = {
  name: 'group-routing',
  title: 'device-originated RPCs (manual §5.4, §5.8, Fig. 2)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'gr');
    await tenant.module(RPC_MODULE, RPC_YANG);
    await tenant.grant('admin', RPC_MODULE, 'beep');
    const own = env.listener.endpoint('device-url', answering('device'));
    const groupA = env.listener.endpoint('group-a', answering('A'));
    const groupB = env.listener.endpoint('group-b', answering('B'));
    await tenant.group('group-a', groupA.url);
    await tenant.group('group-b', groupB.url);
    const devices = new Map<string, PlayedDevice>();
    const device = async (id: string): Promise<PlayedDevice> => {
      let played = devices.get(id);
      if (played === undefined) {
        played = await tenant.device(id);
        devices.set(id, played);
        await played.connect();
      }
      return played;
    };
    const rpc = async (id: string, method: string, params: Record<string, unknown>): Promise<RpcAnswer> =>
      (await device(id)).rpc(method, params);
    const expectResult = (answer: RpcAnswer, result: unknown, what: string): void => {
      if (answer.error !== undefined)
        throw new CheckFailure(`${what}: the device got the error ${JSON.stringify(answer.error)}`);
      equal(answer.result, result, what);
    };
    /** Waits until `endpoint` received `count` requests from `id`: a dropped reply's request still arrives. */
    const arrived = async (endpoint: Endpoint, id: string, count: number, what: string): Promise<void> => {
      await endpoint.waitFor(() => from(endpoint, id).length >= count, what, env.waitMs);
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      equal(from(endpoint, id).length, count, `${what}: requests received`);
    };

    const checks: Check[] = [
      {
        name: "§5.4: a device's RPC goes to its notification URL as a JSON-RPC request and the reply comes back to it",
        async run() {
          await device('d-own');
          await tenant.ok('exodm:update-device', { 'device-id': 'd-own', 'notification-url': own.url });
          expectResult(await rpc('d-own', REPORT, { level: 1 }), { ack: 'device' }, 'reply to the device');
          const [sent] = from(own, 'd-own');
          ensure(sent !== undefined, 'the device URL received nothing');
          includes(
            sent.body,
            { jsonrpc: '2.0', method: REPORT, params: { level: 1, 'device-id': 'd-own' } },
            'the forwarded request',
          );
          ensure(
            sent.body.id !== undefined && sent.body.id !== null,
            'the forwarded request has no id: it must be answered',
          );
          // docs/server.md: the POST says which device sent it
          equal(sent.headers.get('x-fleetkit-device-id'), 'd-own', 'X-Fleetkit-Device-Id of the forwarded request');
        },
      },
      {
        name: "§5.4: the device's own URL takes precedence over its primary group's; the group gets the RPC too (§5.8)",
        async run() {
          await tenant.join('group-a', ['d-own'], true);
          expectResult(await rpc('d-own', REPORT, { level: 2 }), { ack: 'device' }, 'reply to the device');
          await arrived(groupA, 'd-own', 1, 'the RPC at group A');
        },
      },
      {
        name: '§5.8: in several groups, the RPC goes to every group and the reply is read from the primary one',
        async run() {
          await device('d-primary');
          await tenant.join('group-a', ['d-primary'], true);
          await tenant.join('group-b', ['d-primary']);
          expectResult(await rpc('d-primary', REPORT, { level: 3 }), { ack: 'A' }, 'reply to the device');
          await arrived(groupB, 'd-primary', 1, 'the RPC at group B');
          await arrived(groupA, 'd-primary', 1, 'the RPC at group A');
        },
      },
      {
        name: '§5.8: the replies of the other groups are silently dropped, even an error',
        async run() {
          await device('d-dropped');
          const failing = env.listener.endpoint('group-c', answering('C refuses', true));
          await tenant.group('group-c', failing.url);
          await tenant.join('group-c', ['d-dropped']);
          await tenant.join('group-a', ['d-dropped'], true);
          expectResult(await rpc('d-dropped', REPORT, { level: 4 }), { ack: 'A' }, 'reply to the device');
          await arrived(failing, 'd-dropped', 1, 'the RPC at group C');
        },
      },
      {
        name: '§5.8: primary marks one group: marking another clears it, and adding a device again keeps its mark',
        async run() {
          await device('d-moved');
          await tenant.join('group-a', ['d-moved'], true);
          await tenant.join('group-b', ['d-moved'], true);
          await tenant.join('group-a', ['d-moved']);
          expectResult(
            await rpc('d-moved', REPORT, { level: 8 }),
            { ack: 'B' },
            'reply after B became primary and A was added again',
          );
          await tenant.join('group-b', ['d-moved']);
          await tenant.join('group-a', ['d-moved']);
          expectResult(await rpc('d-moved', REPORT, { level: 9 }), { ack: 'B' }, 'reply after both were added again');
        },
      },
      {
        name: '§5.8: without a primary group, the reply comes from the group the device was last added to',
        async run() {
          await device('d-last');
          await tenant.join('group-a', ['d-last']);
          await tenant.join('group-b', ['d-last']);
          expectResult(await rpc('d-last', REPORT, { level: 5 }), { ack: 'B' }, 'reply after joining A, then B');
          await tenant.join('group-a', ['d-last']);
          expectResult(await rpc('d-last', REPORT, { level: 6 }), { ack: 'A' }, 'reply after joining A again');
          // docs/server.md: of its groups with a URL
          await tenant.group('no-url');
          await tenant.join('no-url', ['d-last']);
          expectResult(
            await rpc('d-last', REPORT, { level: 7 }),
            { ack: 'A' },
            'reply after joining a group without a URL',
          );
          // docs/server.md: each request's id is the account's next counter value
          const ids = from(groupA, 'd-last', REPORT).map((r) => Number(r.body.id));
          ensure(
            ids.length === 3 && ids[0]! < ids[1]! && ids[1]! < ids[2]!,
            `ids of the three requests at group A: ${JSON.stringify(ids)}`,
          );
        },
      },
      {
        name: '§5.8 Fig. 2: device 1 (group A) pings, device 2 (A primary, B) reports status, device 3 (group B) raises an alarm',
        async run() {
          for (const id of ['fig2-1', 'fig2-2', 'fig2-3']) await device(id);
          await tenant.join('group-a', ['fig2-1']);
          await tenant.join('group-a', ['fig2-2'], true);
          await tenant.join('group-b', ['fig2-2']);
          await tenant.join('group-b', ['fig2-3']);
          expectResult(await rpc('fig2-1', PING, {}), { pong: 'A' }, "device 1's ping reply");
          expectResult(await rpc('fig2-2', REPORT, { level: 7 }), { ack: 'A' }, "device 2's status report reply");
          await (await device('fig2-3')).notify(ALARM, { severity: 'major' });
          await groupB.waitFor(
            (r) => r.body.method === ALARM && r.body.params?.['device-id'] === 'fig2-3',
            'the alarm at group B',
            env.waitMs,
          );
          await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
          equal(
            {
              ping: [from(groupA, 'fig2-1', PING).length, from(groupB, 'fig2-1', PING).length],
              report: [from(groupA, 'fig2-2', REPORT).length, from(groupB, 'fig2-2', REPORT).length],
              alarm: [from(groupA, 'fig2-3', ALARM).length, from(groupB, 'fig2-3', ALARM).length],
            },
            { ping: [1, 0], report: [1, 1], alarm: [0, 1] },
            'requests at http://groupa.com and http://groupb.com (A, B)',
          );
          const [alarm] = from(groupB, 'fig2-3', ALARM);
          ensure(alarm?.body.id === undefined, `the alarm was forwarded with an id: ${JSON.stringify(alarm?.body)}`);
        },
      },
      {
        name: "§5.8: a device's notification goes to every group, once to URLs that differ only by a trailing slash",
        async run() {
          await device('d-notify');
          await tenant.group('group-a-slash', `${groupA.url}/`);
          await tenant.join('group-a', ['d-notify'], true);
          await tenant.join('group-a-slash', ['d-notify']);
          await tenant.join('group-b', ['d-notify']);
          await (await device('d-notify')).notify(ALARM, { severity: 'minor' });
          const alarm = (r: Received) => r.body.method === ALARM && r.body.params?.['device-id'] === 'd-notify';
          await groupB.waitFor(alarm, 'the alarm at group B', env.waitMs);
          await groupA.waitFor(alarm, 'the alarm at group A', env.waitMs);
          await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
          equal(
            from(groupA, 'd-notify', ALARM).length,
            1,
            'alarms at group A (its URL given twice, once with a slash)',
          );
        },
      },
      {
        name: "§5.4: the backend's JSON-RPC error, and a result that breaks the RPC's output, reach the device as errors",
        async run() {
          const refusing = env.listener.endpoint('refusing', answering('not today', true));
          const wrong = env.listener.endpoint('wrong', (r) =>
            Response.json({ jsonrpc: '2.0', id: r.body.id, result: { other: 1 } }),
          );
          await device('d-answered');
          await tenant.ok('exodm:update-device', { 'device-id': 'd-answered', 'notification-url': refusing.url });
          includes(
            await rpc('d-answered', REPORT, { level: 1 }),
            { error: { code: 4711, message: 'not today' } },
            "the backend's error",
          );
          await tenant.ok('exodm:update-device', { 'device-id': 'd-answered', 'notification-url': wrong.url });
          includes(
            await rpc('d-answered', REPORT, { level: 1 }),
            { error: { code: -32022 } },
            'a result without the mandatory ack',
          );
        },
      },
      {
        name: '§5.4: a device with nowhere to send its RPC gets -32020, and its params are checked against the RPC (-32602)',
        async run() {
          await device('d-alone');
          includes(
            await rpc('d-alone', REPORT, { level: 1 }),
            { error: { code: -32020 } },
            'an RPC with no notification URL',
          );
          includes(await rpc('d-alone', REPORT, { level: 300 }), { error: { code: -32602 } }, 'level 300 (a uint8)');
          includes(
            await rpc('d-alone', `${RPC_MODULE}:no-such-rpc`, {}),
            { error: { code: -32601 } },
            'an RPC the module lacks',
          );
        },
      },
      {
        name: '§5.4, §5.8: neither the device nor its groups hear the callbacks of a backend request; its own URL does',
        async run() {
          const requester = env.listener.endpoint('requester');
          const played = await device('d-own');
          const accepted = await tenant.call(`${RPC_MODULE}:beep`, {
            'device-id': 'd-own',
            text: 'from the backend',
            'notification-url': requester.url,
          });
          equal(accepted.result?.['rpc-status'], 'accepted', 'the request');
          const work = await played.take(env.waitMs);
          if (work === undefined) throw new CheckFailure('the device found no transaction');
          ensure((await played.ack(work, 'complete')).accepted, 'the device could not complete the request');
          await requester.waitFor(
            (r) => r.body.params?.final === true,
            'the final callback at the request URL',
            env.waitMs,
          );
          await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
          const callbacks = (endpoint: Endpoint) =>
            endpoint.received.filter((r) => String(r.body.method).endsWith('-callback')).length;
          equal(
            { device: callbacks(own), groupA: callbacks(groupA) },
            { device: 0, groupA: 0 },
            'callbacks at the device and group URLs',
          );
        },
      },
      {
        name: '§5.8: a group id is unique across the devices and groups of the account',
        async run() {
          await device('taken-id');
          equal(
            (await tenant.call('exodm:create-device-group', { 'group-name': 'taken-id' })).result?.result,
            'object-exists',
            'a group named like a device',
          );
          equal(
            (await tenant.call('exodm:create-device', { 'device-id': 'group-a', 'device-type': 'device-type' })).result
              ?.result,
            'object-exists',
            'a device named like a group',
          );
        },
      },
      {
        name: "§5.8: all members share the first member's device type; another type is refused",
        async run() {
          await tenant.type('other-type');
          await tenant.group('typed');
          await tenant.join('typed', ['d-last']);
          await tenant.device('odd', 'other-type');
          const reply = await tenant.call('exodm:add-device-group-members', {
            'group-name': 'typed',
            'device-id': ['odd'],
          });
          ensure(reply.result?.result !== 'ok', `a device of another type joined: ${JSON.stringify(reply)}`);
          const members = await tenant.call('exodm:list-device-group-members', { 'group-name': 'typed', n: 10 });
          ensure(
            !JSON.stringify(members.result).includes('"odd"'),
            `odd is listed as a member: ${JSON.stringify(members.result)}`,
          );
        },
      },
    ];
    return { checks, dispose: () => tenant.dispose() };
  },
};
