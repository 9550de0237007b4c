import { importReadmeExample } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import type { Served } from './serve.ts';

const readme = new URL('../README.md', import.meta.url);

describe('README examples', () => {
  it('serves the specification example methods over HTTP', async () => {
    const example = await importReadmeExample(readme, 0);
    const server = example.server as Served;
    try {
      const client = createClient({ url: server.url });
      expect(await client.call('subtract', [42, 23])).toBe(19);
      expect(await client.call('subtract', { subtrahend: 23, minuend: 42 })).toBe(19);
      expect(await client.call('sum', [1, 2, 4])).toBe(7);
      expect(await client.call('get_data')).toEqual(['hello', 5]);
      await client.notify('update', [1, 2, 3, 4, 5]);
      await client.notify('notify_hello', [7]);
      expect(example.updates).toEqual([[1, 2, 3, 4, 5]]);
      const raw = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
      });
      expect(await raw.text()).toBe('{"jsonrpc":"2.0","result":19,"id":1}');
      const doc = (await client.call('rpc.discover')) as { methods: { name: string }[] };
      expect(doc.methods.map((m) => m.name)).toEqual(['subtract', 'sum', 'update', 'notify_hello', 'get_data']);
    } finally {
      await server.close();
    }
  });

  it('authenticates, authorises, validates and batches as shown', async () => {
    const example = await importReadmeExample(readme, 1);
    expect(example.found).toEqual({ result: 'ok', devices: [{ 'device-id': 'dev-1', account: 'acme' }] });
    expect(example.denied).toMatchObject({
      code: 'permission-denied',
      message: 'Permission denied',
    });
    expect(example.invalid).toEqual({
      issues: [
        { path: ['device-id'], expected: 'string', got: '7', message: 'Invalid type: Expected string but received 7' },
      ],
    });
    expect(example.gone).toEqual({
      issues: [{ path: ['device-id'], expected: null, got: '"gone"', message: 'No such device' }],
    });
    expect(example.rebooted).toEqual({ result: 'ok' });
    expect(example.refused).toBe('permission-denied');
    expect(example.batch).toEqual([
      { ok: true, result: { result: 'ok', devices: [{ 'device-id': 'a', account: 'acme' }] } },
      undefined,
    ]);
  });
});
