import { importReadmeExample } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';

it('runs the README example with the decisions it shows', async () => {
  const example = await importReadmeExample(new URL('../README.md', import.meta.url));
  expect(example.user).toBe('olga');
  expect(example.position).toEqual({ allowed: true });
  expect(example.listDevices).toEqual({ allowed: false, reason: 'role-lacks-method' });
  const authorize = example.authorize as (c: {
    user: string | undefined;
    account: string | undefined;
    method: string;
  }) => unknown;
  expect(authorize({ user: 'acme-admin', account: undefined, method: 'exodm:list-devices' })).toEqual({ allow: true });
  expect(authorize({ user: 'olga', account: 'exodm', method: 'exodm:list-devices' })).toEqual({
    allow: false,
    reason: 'not-a-member',
  });
  expect(authorize({ user: 'sysadm', account: 'exodm', method: 'exodm:create-account' })).toEqual({ allow: true });
  expect(authorize({ user: undefined, account: 'acme', method: 'exodm:list-devices' })).toEqual({
    allow: false,
    reason: 'not-authenticated',
  });
});
