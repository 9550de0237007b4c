// Callbacks survive the server: rows stored before a stop are sent by the
// next process on the same store (SQLite file), and processes sharing one
// PostgreSQL database send each row once, in order per transaction.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDriver } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackStats } from '../src/callbacks/outbox.ts';
import { queueName } from '../src/context.ts';
import { eventually, listen, type Received } from './callback-listener.ts';
import { startServer, type TestServer } from './harness.ts';
import { createDatabase } from './postgres-database.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Enqueues a device RPC notifying `url`, and the device takes it and finishes it. */
async function runRpc(t: TestServer, device: string, url: string, progress = 0): Promise<void> {
  const queue = t.server.context.queue;
  const name = queueName('acme', device);
  await queue.enqueue({ target: { device: name }, kind: 'rpc', tag: 'test:echo', payload: {}, notify: url });
  const [delivery] = await queue.callIn(name);
  const ack = { transactionId: delivery!.transactionId, attempt: delivery!.attempt };
  for (let n = 1; n <= progress; n++) await queue.ack(name, { ...ack, status: 'progress', progress: { n } });
  await queue.ack(name, { ...ack, status: 'complete', result: { echo: device } });
}

function statuses(received: readonly Received[]): unknown[] {
  return received.map((r) => r.body.params['rpc-status']);
}

describe('callbacks across a restart on one SQLite file', () => {
  function sqliteFile(): () => SqlDriver {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-callbacks-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return () => {
      const driver = openSqlite({ path: join(dir, 'server.db') });
      cleanups.push(() => driver.close());
      return driver;
    };
  }

  it('sends after the restart what an unreachable backend could not take before it', async () => {
    const open = sqliteFile();
    const gone = await listen();
    await gone.close();
    // a long backoff: only the restart can make the rows go out within the test
    const settings = { callbackRetryMs: 3_600_000, callbackRetryMaxMs: 3_600_000 };
    const first = await startServer({ driver: open(), settings });
    await runRpc(first, 'dev-1', gone.url);
    await eventually(async () => {
      const stats = await callbackStats(first.server.context);
      return stats.pending === 2 && stats.failing === 1;
    }, 'both callbacks stored, the first failed');
    await first.close();

    const back = await listen(undefined, gone.port);
    cleanups.push(() => back.close());
    const second = await startServer({ driver: open(), settings });
    cleanups.push(() => second.close());
    const received = await back.waitFor(2);
    expect(statuses(received)).toEqual(['device-connected', 'complete']);
    expect(received[1]!.body.params).toMatchObject({ 'device-id': 'dev-1', final: true, echo: 'dev-1' });
    await eventually(async () => (await callbackStats(second.server.context)).pending === 0, 'the outbox to drain');
  });

  it('sends again, under the same callback id, a request cut off by the stop', async () => {
    const open = sqliteFile();
    const hanging = await listen(() => new Promise<Response>(() => {}));
    const first = await startServer({ driver: open() });
    await runRpc(first, 'dev-2', hanging.url);
    const [cut] = await hanging.waitFor(1);
    await first.close();
    await hanging.close();

    const back = await listen(undefined, hanging.port);
    cleanups.push(() => back.close());
    const second = await startServer({ driver: open() });
    cleanups.push(() => second.close());
    const received = await back.waitFor(2);
    expect(received[0]!.headers.get('x-fleetkit-callback-id')).toBe(cut!.headers.get('x-fleetkit-callback-id'));
    expect(statuses(received)).toEqual(['device-connected', 'complete']);
  });
});

describeWithPostgres('callbacks of servers sharing PostgreSQL', (url) => {
  async function freshDatabase(): Promise<string> {
    const database = await createDatabase(url, 'srv_cb');
    cleanups.push(() => database.drop());
    return database.url;
  }

  it('sends each callback once, in order per transaction, whichever server claims it', async () => {
    const database = await freshDatabase();
    const servers: TestServer[] = [];
    for (let i = 0; i < 2; i++) {
      const driver = openPostgres({ connectionString: database, max: 4 });
      cleanups.push(() => driver.close());
      const t = await startServer({ driver });
      cleanups.push(() => t.close());
      servers.push(t);
    }
    const backend = await listen(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return new Response(null, { status: 200 });
    });
    cleanups.push(() => backend.close());
    const devices = Array.from({ length: 8 }, (_, i) => `dev-${i}`);
    await Promise.all(devices.map((device, i) => runRpc(servers[i % 2]!, device, backend.url, 3)));
    const received = await backend.waitFor(devices.length * 5);
    await eventually(
      async () => (await callbackStats(servers[0]!.server.context)).pending === 0,
      'the outbox to drain',
    );
    expect(backend.received).toHaveLength(devices.length * 5);
    const ids = received.map((r) => r.headers.get('x-fleetkit-callback-id'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const device of devices) {
      const mine = received.filter((r) => r.body.params['device-id'] === device);
      expect(statuses(mine)).toEqual(['device-connected', 'accepted', 'accepted', 'accepted', 'complete']);
      expect(mine.slice(1, 4).map((r) => r.body.params.n)).toEqual([1, 2, 3]);
    }
  });
});
