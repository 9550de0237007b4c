// Child process: the floors of the server suite. Bare node:http handlers that
// make the txqueue calls the server's routes make for one cycle, and nothing
// else (no JSON-RPC, authentication, validation, device lookup or durable
// callback outbox): POST /rpc enqueues, GET /command reads the head and calls
// in, POST /command reads the transaction and acks; each `delivered` and
// `final` event is POSTed to the request's notification URL straight from the
// txqueue subscriber. Over IPC it also runs the txqueue cycle alone, in process,
// and answers the count of durable commits so far (commits.ts).
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { silentLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openTxQueue, toCallback } from '@fleetkit/txqueue';
import { CommitCounter } from './commits.ts';
import { each, lanes } from './load.ts';
import { serveParent } from './processes.ts';

const { values } = parseArgs({ options: { sqlite: { type: 'string' }, database: { type: 'string' } } });
const commits = new CommitCounter();
const storage = commits.wrap(
  values.sqlite === undefined
    ? openPostgres({ connectionString: values.database!, applicationName: 'fleetkit-bench-floor' })
    : openSqlite({ path: values.sqlite }),
);
const groups = new Map<string, readonly string[]>();
const queue = await openTxQueue({
  storage,
  logger: silentLogger,
  groups: { members: (group) => groups.get(group) ?? [] },
});

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
/** Final events the in-process cycles wait for, by target and transaction id. */
const finals = new Map<string, () => void>();

queue.subscribe((event) => {
  const target = 'device' in event.target ? event.target.device : event.target.group;
  if (event.type === 'final') {
    const key = `${target}#${event.transactionId}`;
    finals.get(key)?.();
    finals.delete(key);
  }
  if (event.notify === undefined || (event.type !== 'delivered' && event.type !== 'final')) return;
  const params = { ...toCallback(event), 'device-id': target.slice(target.indexOf('/') + 1) };
  const body = JSON.stringify({ jsonrpc: '2.0', method: `${event.tag}-callback`, params });
  const req = httpRequest(event.notify, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  req.on('response', (res) => res.resume());
  req.on('error', () => {});
  req.end(body);
});

function finalOf(target: string, transactionId: number): Promise<void> {
  return new Promise((resolve) => finals.set(`${target}#${transactionId}`, resolve));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://floor');
  const body = await readBody(req);
  const device = `acme/${url.searchParams.get('device')}`;
  if (req.method === 'POST' && url.pathname === '/rpc') {
    const call = JSON.parse(body) as { device: string; method: string; params: unknown; notify: string };
    const { transaction } = await queue.enqueue({
      target: { device: `acme/${call.device}` },
      kind: 'rpc',
      tag: call.method,
      payload: { method: call.method, params: call.params },
      notify: call.notify,
      timeoutMs: 604_800_000,
    });
    return json(res, 200, { 'transaction-id': String(transaction.id), 'rpc-status': 'accepted', final: false });
  }
  if (req.method === 'GET' && url.pathname === '/command') {
    const [head] = await queue.list({ device }, { open: true, limit: 1 });
    if (head === undefined) return json(res, 404, { error: 'no-command' });
    const [delivery] = await queue.callIn(device, { limit: 1 });
    if (delivery === undefined) return json(res, 404, { error: 'no-command' });
    return json(res, 200, { id: `${delivery.transactionId}.${delivery.attempt}`, parameters: delivery.payload });
  }
  if (req.method === 'POST' && url.pathname === '/command') {
    const update = JSON.parse(body) as { id: string; result?: unknown };
    const [transactionId, attempt] = update.id.split('.').map(Number) as [number, number];
    await queue.get({ device }, transactionId);
    const outcome = await queue.ack(device, { transactionId, attempt, status: 'complete', result: update.result });
    if (outcome.outcome === 'rejected') return json(res, 409, { error: outcome.reason });
    return json(res, 200, { id: update.id, status: 'done' });
  }
  return json(res, 404, { error: 'not-found' });
}

const http = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
});
http.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

/** The txqueue cycle alone: enqueue → call-in → ack → the final event, in this process. */
async function alone(inFlight: number, ms: number, devices: number) {
  return lanes(
    async (index) => {
      const device = `alone/dev-${index}`;
      const { transaction } = await queue.enqueue({
        target: { device },
        kind: 'rpc',
        tag: 'work:run',
        payload: { method: 'work:run', params: { n: index } },
        timeoutMs: 604_800_000,
      });
      const final = finalOf(device, transaction.id);
      const [delivery] = await queue.callIn(device, { limit: 1 });
      await queue.ack(device, {
        transactionId: delivery!.transactionId,
        attempt: delivery!.attempt,
        status: 'complete',
      });
      await final;
    },
    { inFlight, ms, devices },
  );
}

/** One group transaction to `size` devices in this process: enqueue, each member's call-in and ack, the final event. */
async function groupAlone(size: number, concurrency: number): Promise<number> {
  const group = `alone/group-${size}-${Date.now()}`;
  const members = Array.from({ length: size }, (_, i) => `alone/${group.slice(6)}-member-${i}`);
  groups.set(group, members);
  const started = performance.now();
  const { transaction } = await queue.enqueue({
    target: { group },
    kind: 'rpc',
    tag: 'work:run',
    payload: { method: 'work:run', params: {} },
    timeoutMs: 604_800_000,
    memberEvents: true,
  });
  const final = finalOf(group, transaction.id);
  await each(members, concurrency, async (device) => {
    const [delivery] = await queue.callIn(device, { limit: 1 });
    await queue.ack(device, { transactionId: delivery!.transactionId, attempt: delivery!.attempt, status: 'complete' });
  });
  await final;
  return (performance.now() - started) / 1000;
}

serveParent((http.address() as AddressInfo).port, async (message) => {
  if (message.type === 'alone') {
    return alone(Number(message.inFlight), Number(message.ms), Number(message.devices));
  }
  if (message.type === 'group-alone') return groupAlone(Number(message.size), Number(message.concurrency));
  if (message.type === 'commits') return commits.snapshot();
  throw new Error(`unknown request ${String(message.type)}`);
});
