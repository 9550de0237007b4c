import { importReadmeExample } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';

it('runs the README example: staged push, group fan-out and a time-out', async () => {
  const mod = await importReadmeExample(new URL('../README.md', import.meta.url));
  expect(mod.pushed).toEqual({
    updates: [
      { package: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } },
      { package: 'weather_app-1.0', values: { location: 'Bro' } },
    ],
  });
  expect(mod.groupState).toBe('complete');
  expect(mod.finals).toEqual([
    [{ device: 'dev-1' }, 1, 'complete'],
    [{ group: 'fleet-a' }, 1, 'complete'],
    [{ device: 'dev-9' }, 1, 'time-out'],
  ]);
  expect(mod.wokenDevices).toEqual(['dev-1', 'dev-2', 'dev-3', 'dev-9']);
  expect(mod.callback).toEqual({
    'transaction-id': 1,
    'device-id': 'dev-1',
    'rpc-status': 'complete',
    'rpc-status-string': 'The operation has completed successfully.',
    final: true,
  });
});
