import { describe, expect, it } from 'vitest';
import { callJson, type FetchFunction } from './http-call.ts';

/** A fetch answering with one fixed Response: the status mapping is what is under test, not a server. */
const answering =
  (status: number, body: string, headers: Record<string, string> = {}): FetchFunction =>
  async () =>
    new Response(body, { status, headers });

const call = { method: 'POST', url: 'http://hub/v1/devices/p1/telemetry', authorization: 'k', body: {} } as const;
const never = new AbortController().signal;

describe('callJson: what each answer of the device API becomes', () => {
  it('returns the JSON of a 2xx answer, undefined for an empty one', async () => {
    expect(await callJson(answering(200, '{"command":true}'), call, never)).toEqual({ command: true });
    expect(await callJson(answering(202, ''), call, never)).toBeUndefined();
    await expect(callJson(answering(200, '<html>'), call, never)).rejects.toMatchObject({ code: 'invalid-reply' });
  });

  it.each([
    [401, 'auth-lost'],
    [403, 'auth-lost'],
    [429, 'rate-limited'],
    [500, 'unavailable'],
    [503, 'unavailable'],
    [400, 'refused'],
    [404, 'refused'],
    [409, 'refused'],
  ])('maps %i to %s, keeping the status and the server error code', async (status, code) => {
    await expect(callJson(answering(status, '{"error":"some-code","message":"m"}'), call, never)).rejects.toMatchObject(
      {
        code,
        details: { status, error: 'some-code' },
      },
    );
  });

  it('reads how long a 429 asks the device to wait, from the body or the header', async () => {
    await expect(callJson(answering(429, '{"retry_after_ms":1500}'), call, never)).rejects.toMatchObject({
      details: { retryAfterMs: 1500 },
    });
    await expect(callJson(answering(429, '', { 'retry-after': '3' }), call, never)).rejects.toMatchObject({
      details: { retryAfterMs: 3000 },
    });
  });

  it('turns a network failure into unavailable, and an abort into the abort reason', async () => {
    const failing: FetchFunction = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(callJson(failing, call, never)).rejects.toMatchObject({ code: 'unavailable' });
    const controller = new AbortController();
    const reason = new Error('stopped');
    const hanging: FetchFunction = (_input, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const pending = callJson(hanging, call, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('sends the access key without a scheme and JSON only with a body', async () => {
    const seen: RequestInit[] = [];
    const recording: FetchFunction = async (_input, init) => {
      seen.push(init);
      return new Response('{}');
    };
    await callJson(recording, call, never);
    await callJson(recording, { method: 'GET', url: 'http://hub/x', authorization: 'k' }, never);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      headers: { authorization: 'k', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(seen[1]).toMatchObject({ method: 'GET', headers: { authorization: 'k' } });
    expect(seen[1]?.body).toBeUndefined();
  });
});
