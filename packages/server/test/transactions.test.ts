import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness.ts';

describe('get-transaction and cancel-transaction', () => {
  let t: TestServer;
  const acme = (method: string, params: Record<string, unknown>) =>
    t.call('acme-admin', 'acme-admin-pw', method, params);
  beforeAll(async () => {
    t = await startServer();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@a.a', password: 'acme-admin-pw' });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@g.g', password: 'globex-admin-pw' });
    await acme('exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http' });
    await acme('exodm:create-device', { 'device-id': 'm-1', 'device-type': 'meter' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads a queued transaction, cancels it at once, and reads it final', async () => {
    const { transaction } = await t.server.context.queue.enqueue({
      target: { device: 'acme/m-1' },
      kind: 'rpc',
      tag: 'meter:read',
      payload: { method: 'meter:read', params: {} },
      timeoutMs: 60_000,
    });
    const read = await acme('exodm:get-transaction', { 'device-id': 'm-1', 'transaction-id': transaction.id });
    expect(read.result).toMatchObject({
      result: 'ok',
      transaction: {
        'transaction-id': transaction.id,
        'device-id': 'm-1',
        method: 'meter:read',
        state: 'queued',
        'rpc-status': 'accepted',
        final: false,
      },
    });
    const cancelled = await acme('exodm:cancel-transaction', {
      'device-id': 'm-1',
      'transaction-id': String(transaction.id),
    });
    expect(cancelled.result).toMatchObject({ result: 'ok', transaction: { state: 'cancelled', final: true } });
  });

  it("answers device-not-found for another account's device and object-not-found for an unknown id", async () => {
    const foreign = await t.call('globex-admin', 'globex-admin-pw', 'exodm:get-transaction', {
      'device-id': 'm-1',
      'transaction-id': 1,
    });
    expect(foreign.result?.result).toBe('device-not-found');
    const unknown = await acme('exodm:cancel-transaction', { 'device-id': 'm-1', 'transaction-id': 999 });
    expect(unknown.result?.result).toBe('object-not-found');
    const bad = await acme('exodm:get-transaction', { 'device-id': 'm-1', 'transaction-id': 'one' });
    expect(bad.error?.code).toBe(-32602);
  });
});
