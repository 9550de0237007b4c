import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.ts';
import { type Served, serve } from './serve.ts';
import { specRouter } from './testing/spec-methods.ts';

describe("serve on the runtime's own HTTP server", () => {
  let server: Served;
  beforeAll(async () => {
    server = await serve(createHttpHandler(specRouter().router, { maxBodyBytes: 1024 }));
  });
  afterAll(() => server.close());

  const post = (body: string): Promise<Response> =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers over a real socket', async () => {
    const res = await post('{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"}');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"jsonrpc":"2.0","result":7,"id":"1"}');
  });

  it('answers 204 with no body for a notification', async () => {
    const res = await post('{"jsonrpc":"2.0","method":"update","params":[1]}');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('refuses GET with 405 and a body over the limit with 413', async () => {
    expect((await fetch(server.url)).status).toBe(405);
    const res = await post(`[${'{"jsonrpc":"2.0","method":"sum","params":[1]},'.repeat(40)}1]`);
    expect(res.status).toBe(413);
  });

  it('uses the server of the runtime it runs on', () => {
    expect(server.runtime).toBe(globalThis.process?.env.FLEETKIT_EXPECT_RUNTIME ?? 'node');
  });

  it('takes a URL with the listening port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.port).toBeGreaterThan(0);
  });
});
