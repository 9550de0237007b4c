import { specExamples } from '@fleetkit/jsonrpc/testing';
import type { Login, RawReply } from '../runner/backend.ts';
import { type Check, CheckFailure } from '../runner/check.ts';
import { ensure, equal, includes, show } from '../runner/expect.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';

/** The specification's examples whose methods a server need not have: they are about the protocol itself. */
const PROTOCOL_EXAMPLES = specExamples.filter((example) =>
  [
    'a Notification of a method that does not exist',
    'rpc call of non-existent method',
    'rpc call with invalid JSON',
    'rpc call with invalid Request object',
    'rpc call Batch, invalid JSON',
    'rpc call with an empty Array',
    'rpc call with an invalid Batch (but not empty)',
    'rpc call with invalid Batch',
  ].includes(example.name),
);

/** The parsed body of an answer, or a failure saying what arrived. */
function parsed(reply: RawReply, what: string): unknown {
  try {
    return JSON.parse(reply.text);
  } catch {
    throw new CheckFailure(`${what}: the answer is not JSON (HTTP ${reply.status}): ${reply.text.slice(0, 200)}`);
  }
}

/** Fails unless the answer is empty: the server must not reply to a notification (§4.1). */
function nothing(reply: RawReply, what: string): void {
  ensure(reply.text.trim() === '', `${what}: expected no answer, got HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
  ensure(reply.status >= 200 && reply.status < 300, `${what}: HTTP ${reply.status}`);
}

/** Responses of a batch keyed by id, in any order (§6: "in any order"). */
function byId(responses: unknown): Map<unknown, Record<string, unknown>> {
  ensure(Array.isArray(responses), `a batch answered ${show(responses)}, not an array`);
  return new Map((responses as Record<string, unknown>[]).map((r) => [r.id, r]));
}

/**
 * JSON-RPC 2.0 over HTTP as the specification defines it (manual §8.1:
 * "conforms to the JSON-RPC 2.0 standard"): the specification's own
 * examples where they need no particular method, and the same rules
 * replayed with the server's methods where they do.
 */
export const jsonrpc: Suite = {
  name: 'jsonrpc',
  title: 'JSON-RPC 2.0 (manual §8.1)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'rpc');
    const admin: Login = tenant.admin;
    const send = (body: string): Promise<RawReply> => env.backend.raw(admin, body);
    const listTypes = (id: unknown) =>
      JSON.stringify({ jsonrpc: '2.0', method: 'exodm:list-device-types', params: { n: 10 }, id });

    const examples: Check[] = PROTOCOL_EXAMPLES.map((example) => ({
      name: `JSON-RPC 2.0 §7 example: ${example.name}`,
      async run() {
        const reply = await send(example.request);
        if (example.response === undefined) return nothing(reply, example.name);
        equal(
          parsed(reply, example.name),
          JSON.parse(example.response),
          `answer to ${example.request.replace(/\s+/g, ' ')}`,
        );
      },
    }));

    const checks: Check[] = [
      ...examples,
      {
        name: 'JSON-RPC 2.0 §4, §5: a call is answered with jsonrpc "2.0", its own id (number or string) and exactly one of result and error',
        async run() {
          for (const id of [7, 'call-7', 0]) {
            const reply = await send(listTypes(id));
            ensure(
              reply.contentType?.startsWith('application/json') === true,
              `the answer to id ${show(id)} is ${reply.contentType}, not application/json`,
            );
            const answer = parsed(reply, `call with id ${show(id)}`) as Record<string, unknown>;
            equal(answer.jsonrpc, '2.0', `jsonrpc of the answer to id ${show(id)}`);
            equal(answer.id, id, 'id of the answer');
            ensure('result' in answer !== 'error' in answer, `the answer to id ${show(id)} has ${show(answer)}`);
          }
        },
      },
      {
        name: 'JSON-RPC 2.0 §4.1: a notification is run but never answered',
        async run() {
          nothing(
            await send(
              JSON.stringify({
                jsonrpc: '2.0',
                method: 'exodm:create-device-group',
                params: { 'group-name': 'by-notification' },
              }),
            ),
            'a notification of create-device-group',
          );
          tenant.undo('exodm:delete-device-group', { 'group-name': 'by-notification' });
          const listed = await tenant.call('exodm:list-device-groups', { n: 100 });
          ensure(
            JSON.stringify(listed.result).includes('by-notification'),
            `the notified group does not exist: ${show(listed.result)}`,
          );
        },
      },
      {
        name: 'JSON-RPC 2.0 §4: a request whose jsonrpc is not exactly "2.0" is an Invalid Request (-32600)',
        async run() {
          for (const version of ['1.0', 2, undefined]) {
            const body = JSON.stringify({
              jsonrpc: version,
              method: 'exodm:list-device-types',
              params: { n: 1 },
              id: 1,
            });
            includes(
              parsed(await send(body), `jsonrpc ${show(version)}`),
              { error: { code: -32600 } },
              `answer to jsonrpc ${show(version)}`,
            );
          }
        },
      },
      {
        name: 'JSON-RPC 2.0 §4: an id that is no string, number or null makes an Invalid Request (-32600)',
        async run() {
          for (const id of [{ n: 1 }, [1], true]) {
            const body = JSON.stringify({ jsonrpc: '2.0', method: 'exodm:list-device-types', params: { n: 1 }, id });
            includes(
              parsed(await send(body), `id ${show(id)}`),
              { error: { code: -32600 } },
              `answer to id ${show(id)}`,
            );
          }
        },
      },
      {
        name: 'JSON-RPC 2.0 §4.2: params that are neither an object nor an array make an Invalid Request (-32600)',
        async run() {
          const body = JSON.stringify({ jsonrpc: '2.0', method: 'exodm:list-device-types', params: 'n=1', id: 3 });
          includes(parsed(await send(body), 'string params'), { error: { code: -32600 } }, 'answer to string params');
        },
      },
      {
        name: 'JSON-RPC 2.0 §5.1: params of the wrong type are Invalid params (-32602), answered with the request id',
        async run() {
          const body = JSON.stringify({
            jsonrpc: '2.0',
            method: 'exodm:list-device-types',
            params: { n: 'ten' },
            id: 'p',
          });
          includes(
            parsed(await send(body), 'n as text'),
            { jsonrpc: '2.0', id: 'p', error: { code: -32602 } },
            'answer to n as text',
          );
        },
      },
      {
        name: 'JSON-RPC 2.0 §5.1: an unknown method, exodm or reserved rpc.*, is Method not found (-32601); as a notification, unanswered',
        async run() {
          for (const method of ['exodm:no-such-method', 'rpc.no-such-method']) {
            const body = JSON.stringify({ jsonrpc: '2.0', method, params: {}, id: 9 });
            equal(
              parsed(await send(body), method),
              { jsonrpc: '2.0', id: 9, error: { code: -32601, message: 'Method not found' } },
              `answer to ${method}`,
            );
            nothing(await send(JSON.stringify({ jsonrpc: '2.0', method, params: {} })), `a notification of ${method}`);
          }
        },
      },
      {
        name: 'JSON-RPC 2.0 §6: a batch is answered with an array holding one response per call, none for notifications',
        async run() {
          const body = `[${listTypes('1')},
            {"jsonrpc": "2.0", "method": "exodm:list-device-types", "params": {"n": 1}},
            {"foo": "boo"},
            {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
            ${listTypes('9')}]`;
          const answers = byId(parsed(await send(body), 'the batch'));
          equal([...answers.keys()].sort(), ['1', '5', '9', null].sort(), 'ids of the responses');
          ensure(
            'result' in answers.get('1')! && 'result' in answers.get('9')!,
            `the calls failed: ${show([...answers.values()])}`,
          );
          includes(answers.get(null), { error: { code: -32600 } }, 'response to {"foo": "boo"}');
          includes(answers.get('5'), { error: { code: -32601 } }, 'response to foo.get');
        },
      },
      {
        name: 'JSON-RPC 2.0 §6: a batch of notifications only gets no answer at all',
        async run() {
          const one = JSON.stringify({ jsonrpc: '2.0', method: 'exodm:list-device-types', params: { n: 1 } });
          nothing(await send(`[${one}, ${one}]`), 'a batch of two notifications');
        },
      },
      {
        name: 'manual §8.2: a call without valid credentials is refused and runs nothing',
        async run() {
          const body = JSON.stringify({
            jsonrpc: '2.0',
            method: 'exodm:create-device-group',
            params: { 'group-name': 'intruder' },
            id: 1,
          });
          const anonymous = await env.backend.raw(undefined, body);
          const wrong = await env.backend.raw({ user: admin.user, password: `${admin.password}-wrong` }, body);
          for (const [what, reply] of [
            ['no credentials', anonymous],
            ['a wrong password', wrong],
          ] as const) {
            // manual §8.2 Basic auth; docs/server.md: wrong or missing credentials are HTTP 401
            ensure(reply.status === 401, `${what}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
          }
          const listed = await tenant.call('exodm:list-device-groups', { n: 100 });
          ensure(!JSON.stringify(listed.result).includes('intruder'), 'a refused call created a group');
        },
      },
    ];
    return { checks, dispose: () => tenant.dispose() };
  },
};
