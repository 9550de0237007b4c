import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { createHttpHandler } from './http-handler.ts';
import { specExamples } from './testing/spec-examples.ts';
import { specRouter } from './testing/spec-methods.ts';

describe('the specification examples (§7) as golden vectors', () => {
  for (const example of specExamples) {
    it(`answers "${example.name}" exactly as the specification shows`, async () => {
      const { router } = specRouter();
      const out = await router.handle(example.request);
      // the response is the specification's, byte for byte once its whitespace is removed
      expect(out).toBe(example.response === undefined ? undefined : JSON.stringify(JSON.parse(example.response)));
    });
  }

  it('runs the update notification exactly once and answers nothing', async () => {
    const { router, updates } = specRouter();
    expect(await router.handle('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')).toBeUndefined();
    expect(updates).toEqual([[1, 2, 3, 4, 5]]);
  });
});

describe('the specification examples over HTTP, sent raw by the client', () => {
  const { router } = specRouter();
  const client = createClient({ url: 'http://spec.test/rpc', fetch: createHttpHandler(router) });
  for (const example of specExamples) {
    it(`answers "${example.name}" with ${example.response === undefined ? '204' : 'the specification response'}`, async () => {
      const out = await client.raw(example.request);
      expect(out).toBe(example.response === undefined ? undefined : JSON.stringify(JSON.parse(example.response)));
    });
  }
});
