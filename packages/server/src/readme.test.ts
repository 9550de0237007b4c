import { importReadmeExample } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';

it('runs the README example: account, module, device registration, an RPC answered by the device', async () => {
  const mod = await importReadmeExample(new URL('../README.md', import.meta.url));
  expect(mod.receipt).toEqual({
    'transaction-id': '1',
    'rpc-status': 'accepted',
    'rpc-status-string': 'Operation has been accepted and is in progress.',
    final: false,
  });
  expect(mod.pending).toBe(true);
  expect(mod.command).toMatchObject({ id: '1.1', name: 'lamp:blink', parameters: { times: 3 } });
  expect(mod.transaction).toMatchObject({
    result: 'ok',
    transaction: {
      'transaction-id': 1,
      'device-id': 'lamp-1',
      state: 'complete',
      'rpc-status': 'complete',
      final: true,
    },
  });
});
