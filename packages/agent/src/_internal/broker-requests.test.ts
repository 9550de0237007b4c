import { ManualClock } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { AgentError, AgentErrorCode } from '../errors.ts';
import { BrokerRequests } from './broker-requests.ts';

async function collect(answers: AsyncGenerator<Record<string, unknown>>): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for await (const answer of answers) all.push(answer);
  return all;
}

describe('BrokerRequests', () => {
  it('yields the data messages of a request and its closing message, by the id it gave the request', async () => {
    const requests = new BrokerRequests(new ManualClock(), 1_000);
    const sent: Record<string, unknown>[] = [];
    const answers = collect(
      requests.exchange(
        (message) => sent.push(message) > 0,
        { type: 'package-manifest' },
        new AbortController().signal,
      ),
    );
    await Promise.resolve();
    expect(sent).toEqual([{ type: 'package-manifest', id: 'p1' }]);
    expect(requests.deliver({ type: 'package-data', id: 'p2' })).toBe(false);
    requests.deliver({ type: 'package-data', id: 'p1', offset: 0 });
    requests.deliver({ type: 'package-manifest', id: 'p1', size: 3 });
    expect(await answers).toEqual([
      { type: 'package-data', id: 'p1', offset: 0 },
      { type: 'package-manifest', id: 'p1', size: 3 },
    ]);
    // the request is over: a late message finds no one waiting
    expect(requests.deliver({ type: 'package-data', id: 'p1' })).toBe(false);
  });

  it('fails a request whose answer does not come within the timeout, or whose connection is lost', async () => {
    const clock = new ManualClock();
    const requests = new BrokerRequests(clock, 1_000);
    const signal = new AbortController().signal;
    const silent = collect(requests.exchange(() => true, { type: 'package-key' }, signal));
    await Promise.resolve();
    clock.advance(1_000);
    await expect(silent).rejects.toMatchObject({ code: AgentErrorCode.Unavailable });
    const lost = collect(requests.exchange(() => true, { type: 'package-key' }, signal));
    await Promise.resolve();
    requests.failAll(new AgentError(AgentErrorCode.Unavailable, 'lost'));
    await expect(lost).rejects.toThrow('lost');
    await expect(collect(requests.exchange(() => false, { type: 'package-key' }, signal))).rejects.toMatchObject({
      code: AgentErrorCode.Unavailable,
    });
  });

  it('gives up a request at once when the signal aborts', async () => {
    const requests = new BrokerRequests(new ManualClock(), 1_000);
    const controller = new AbortController();
    const waiting = collect(requests.exchange(() => true, { type: 'package-key' }, controller.signal));
    await Promise.resolve();
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
