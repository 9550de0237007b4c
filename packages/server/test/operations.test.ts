import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness.ts';

describe('operations endpoints', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /healthz while the database answers', async () => {
    const response = await fetch(new URL('healthz', t.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('exposes request latency, refused logins and the callback backlog on /metrics', async () => {
    await t.call('sysadm', 'not-the-password', 'exodm:list-accounts', { n: 1 });
    await t.admin('exodm:list-accounts', { n: 1 });
    const response = await fetch(new URL('metrics', t.url));
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^fleetkit_login_failures_total 1$/m);
    expect(text).toMatch(
      /^fleetkit_http_request_duration_seconds_count\{route="\/exodm\/rpc",method="POST",status="2xx"\} 1$/m,
    );
    expect(text).toMatch(
      /^fleetkit_http_request_duration_seconds_count\{route="\/exodm\/rpc",method="POST",status="4xx"\} 1$/m,
    );
    expect(text).toMatch(/^fleetkit_callbacks\{state="pending"\} 0$/m);
    expect(text).toMatch(/^fleetkit_callback_oldest_pending_seconds 0$/m);
  });

  it('shows open transactions by state as the queue depth', async () => {
    const queue = t.server.context.queue;
    await queue.enqueue({ target: { device: 'exodm/depth-1' }, kind: 'rpc', payload: {}, timeoutMs: 60_000 });
    await queue.enqueue({ target: { device: 'exodm/depth-1' }, kind: 'rpc', payload: {}, timeoutMs: 60_000 });
    await queue.callIn('exodm/depth-1', { limit: 1 });
    const text = await (await fetch(new URL('metrics', t.url))).text();
    expect(text).toMatch(/^fleetkit_transactions\{state="queued"\} 1$/m);
    expect(text).toMatch(/^fleetkit_transactions\{state="delivered"\} 1$/m);
  });
});
