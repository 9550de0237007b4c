import { createRouter } from '@fleetkit/jsonrpc';
import * as v from 'valibot';
import { defineSuite } from '../harness/suite.ts';
import { floor, jaysonServer, jsonRpc2, type TextHandler } from './peers.ts';

// the same request, alone and as a batch of 100, as in the baselines of docs/sources.md
const one = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { x: 42 } });
const hundred = JSON.stringify(
  Array.from({ length: 100 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'echo', params: { x: i } })),
);

const plain = createRouter().method('echo', { handler: (p) => (p as { x: number }).x });
const checked = createRouter().method('echo', { params: v.object({ x: v.number() }), handler: ({ x }) => x });
const ours: TextHandler = (text) => plain.handle(text);
const oursChecked: TextHandler = (text) => checked.handle(text);
const jayson = jaysonServer();
const rpc2 = jsonRpc2();

/** Every side must answer the same JSON, or the comparison means nothing. */
async function sameAnswers(): Promise<void> {
  for (const text of [one, hundred]) {
    const want = JSON.stringify(normalise(JSON.parse(floor(text))));
    for (const [name, fn] of Object.entries({ ours, oursChecked, jayson, rpc2 })) {
      const got = JSON.stringify(normalise(JSON.parse((await fn(text)) as string)));
      if (got !== want) throw new Error(`${name} answered ${got.slice(0, 120)}, expected ${want.slice(0, 120)}`);
    }
  }
}

function normalise(r: unknown): unknown {
  if (Array.isArray(r)) return r.map(normalise);
  const { jsonrpc, id, result } = r as { jsonrpc: string; id: number; result: unknown };
  return { jsonrpc, id, result };
}

export default defineSuite({
  name: 'jsonrpc',
  description:
    'JSON-RPC 2.0 router (`@fleetkit/jsonrpc`), string in → string out in-process: one `echo` call and a batch of 100, beside jayson 5, json-rpc-2.0 1.8 and the floor JSON.parse + JSON.stringify of the same payloads.',
  async setup() {
    await sameAnswers();
    return undefined;
  },
  cases: () => [
    { name: 'single call', ours: () => ours(one), peer: 'jayson', peerFn: () => jayson(one), goal: 1.25 },
    { name: 'single call', ours: () => ours(one), peer: 'json-rpc-2.0', peerFn: () => rpc2(one), goal: 1.25 },
    {
      name: 'single call',
      ours: () => ours(one),
      peer: 'floor JSON.parse+stringify',
      peerFn: () => floor(one),
      goal: 0.85,
    },
    { name: 'batch of 100', ours: () => ours(hundred), peer: 'jayson', peerFn: () => jayson(hundred), goal: 1.3 },
    { name: 'batch of 100', ours: () => ours(hundred), peer: 'json-rpc-2.0', peerFn: () => rpc2(hundred), goal: 1.3 },
    {
      name: 'batch of 100',
      ours: () => ours(hundred),
      peer: 'floor JSON.parse+stringify',
      peerFn: () => floor(hundred),
      goal: 0.85,
    },
    {
      name: 'single call, valibot params schema',
      ours: () => oursChecked(one),
      peer: 'jayson (no validation)',
      peerFn: () => jayson(one),
    },
    {
      name: 'batch of 100, valibot params schema',
      ours: () => oursChecked(hundred),
      peer: 'jayson (no validation)',
      peerFn: () => jayson(hundred),
    },
  ],
});
