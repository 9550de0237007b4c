// The engine suite's tests of what an event carries, in one key order on
// every store and path, and of a failing handler holding back its
// transaction's later events.
import { ManualClock, memoryLogger } from '@fleetkit/core';
import { expect } from 'vitest';
import { openTxQueue, type TxEvent } from '../index.ts';
import { type Harness, HOUR, rpc, type SuiteTest } from './harness.ts';

export function describeEventContentTests({ setup, store, opened }: Harness, it: SuiteTest): void {
  it('gives every event the caller id, kind, tag, notification target and, when final, the result', async () => {
    const clock = new ManualClock();
    const queue = await openTxQueue({ storage: await store(), clock, logger: memoryLogger() });
    opened.push(queue);
    const seen: TxEvent[] = [];
    queue.subscribe((e) => void seen.push(e));
    // strings that JSON must escape, as SQL-built event bodies splice them in (outbox.ts eventBodySql)
    const clientId = 'c-1 "q" \\ \n\t\u0001 é 😀';
    const notify = 'https://cb.example/1?q="x"\\';
    const tag = 'exodemo:beep "t" \\ \u0002 ü';
    // with a caller id: the general path; without: PostgreSQL's one-statement path
    await queue.enqueue({
      target: { device: 'a' },
      kind: 'package',
      payload: {},
      timeoutMs: HOUR,
      notify,
      clientId,
      tag,
    });
    await queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
    await queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: HOUR, tag });
    for (const d of await queue.callIn('a'))
      await queue.ack('a', {
        transactionId: d.transactionId,
        attempt: d.attempt,
        status: 'complete',
        result: { note: null, n: [1] },
      });
    await queue.idle();
    const at = clock.now();
    const common = { target: { device: 'a' }, at, statusString: expect.any(String) };
    // order is guaranteed per transaction, so compare transaction by transaction
    const byTx = [...seen].sort((x, y) => x.transactionId - y.transactionId);
    expect(byTx.map(({ seq: _seq, ...e }) => e)).toEqual([
      {
        ...common,
        type: 'accepted',
        transactionId: 1,
        clientId,
        kind: 'package',
        tag,
        notify,
        state: 'queued',
        status: 'accepted',
        final: false,
      },
      {
        ...common,
        type: 'delivered',
        transactionId: 1,
        clientId,
        kind: 'package',
        tag,
        notify,
        state: 'delivered',
        status: 'device-connected',
        final: false,
      },
      {
        ...common,
        type: 'final',
        transactionId: 1,
        clientId,
        kind: 'package',
        tag,
        notify,
        state: 'complete',
        status: 'complete',
        final: true,
        result: { note: null, n: [1] },
      },
      {
        ...common,
        type: 'accepted',
        transactionId: 2,
        kind: 'rpc',
        state: 'queued',
        status: 'accepted',
        final: false,
      },
      {
        ...common,
        type: 'delivered',
        transactionId: 2,
        kind: 'rpc',
        state: 'delivered',
        status: 'device-connected',
        final: false,
      },
      {
        ...common,
        type: 'final',
        transactionId: 2,
        kind: 'rpc',
        state: 'complete',
        status: 'complete',
        final: true,
        result: { note: null, n: [1] },
      },
      {
        ...common,
        type: 'accepted',
        transactionId: 3,
        kind: 'rpc',
        tag,
        state: 'queued',
        status: 'accepted',
        final: false,
      },
      {
        ...common,
        type: 'delivered',
        transactionId: 3,
        kind: 'rpc',
        tag,
        state: 'delivered',
        status: 'device-connected',
        final: false,
      },
      {
        ...common,
        type: 'final',
        transactionId: 3,
        kind: 'rpc',
        tag,
        state: 'complete',
        status: 'complete',
        final: true,
        result: { note: null, n: [1] },
      },
    ]);
    // one key order on every store and path (outbox.ts eventBody); the result is stored as canonical JSON
    const order = (e: TxEvent) =>
      [...Object.keys(e), ...('result' in e ? Object.keys(e.result as object) : [])].join(',');
    const head = 'seq,target,transactionId,type';
    expect(byTx.map(order)).toEqual([
      `${head},clientId,kind,tag,state,status,statusString,final,notify,at`,
      `${head},clientId,kind,tag,state,status,statusString,final,notify,at`,
      `${head},clientId,kind,tag,state,status,statusString,final,notify,at,result,n,note`,
      `${head},kind,state,status,statusString,final,at`,
      `${head},kind,state,status,statusString,final,at`,
      `${head},kind,state,status,statusString,final,at,result,n,note`,
      `${head},kind,tag,state,status,statusString,final,at`,
      `${head},kind,tag,state,status,statusString,final,at`,
      `${head},kind,tag,state,status,statusString,final,at,result,n,note`,
    ]);
  });

  it("retries an event whose handler failed and holds back that transaction's later events", async () => {
    const { queue, clock } = await setup({ eventRetryMs: 1000 });
    const seen: string[] = [];
    let fail = true;
    queue.subscribe((e) => {
      if (e.type === 'accepted' && fail) {
        fail = false;
        throw new Error('callback endpoint down');
      }
      seen.push(`${e.type}:${e.seq}`);
    });
    await queue.enqueue(rpc('a'));
    await queue.callIn('a');
    await queue.idle();
    expect(seen).toEqual([]);
    clock.advance(1000);
    await queue.sweep();
    expect(seen.map((s) => s.split(':')[0])).toEqual(['accepted', 'delivered']);
  });
}
