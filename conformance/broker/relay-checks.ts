import type { Check } from './check.ts';
import { equal, timestamped, withoutTimestamp } from './expect.ts';

// 002 Steps 4 and 5, and "Only ONE device can be connected with a given ID"
export const relayChecks: readonly Check[] = [
  {
    name: 'relay: a device message reaches each subscribed control app as {type, deviceId, payload, timestamp}',
    async run(ctx) {
      const deviceId = ctx.id('relay');
      const d = await ctx.registered(deviceId);
      const a = await ctx.control(deviceId);
      const b = await ctx.control(deviceId);
      const payload = { temperature: 23.5, humidity: 65, status: 'ok' };
      d.send({ type: 'message', payload });
      for (const [name, c] of [
        ['first', a],
        ['second', b],
      ] as const) {
        const m = await c.expect('message');
        timestamped(m, `${name} subscriber`);
        equal(withoutTimestamp(m), { type: 'message', deviceId, payload }, `${name} subscriber's frame`);
      }
      // nothing is echoed to the device: an echo would come before the answer to this
      d.send({ type: 'register', deviceId });
      equal((await d.next('the answer to registering again')).type, 'success', 'the next frame the device got');
    },
  },
  {
    name: 'relay: a command from a control app reaches the device as {type: "message", payload, timestamp}',
    async run(ctx) {
      const deviceId = ctx.id('cmd');
      const d = await ctx.registered(deviceId);
      const c = await ctx.control();
      const payload = { command: 'set_temperature', value: 25 };
      c.send({ type: 'message', deviceId, payload, requestId: 'c-1' });
      const m = await d.expect('message');
      timestamped(m, 'command');
      equal(withoutTimestamp(m), { type: 'message', payload }, 'command as the device gets it');
      equal(
        withoutTimestamp(await c.expect('success')),
        { type: 'success', action: 'sent', deviceId, requestId: 'c-1' },
        'acknowledgement',
      );
    },
  },
  {
    name: 'relay: frames keep their order and none are lost (500 messages)',
    async run(ctx) {
      const deviceId = ctx.id('order');
      const d = await ctx.registered(deviceId);
      const c = await ctx.control(deviceId);
      for (let i = 0; i < 500; i++) d.send({ type: 'message', payload: { i } });
      for (let i = 0; i < 500; i++) equal(((await c.expect('message')).payload as { i: number }).i, i, `message ${i}`);
    },
  },
  {
    name: 'eviction: a second connection with the same deviceId closes the first with 4000 and reports previousConnection',
    async run(ctx) {
      const deviceId = ctx.id('dup');
      const first = await ctx.registered(deviceId);
      const second = await ctx.device();
      second.send({ type: 'register', deviceId });
      const s = await second.expect('success');
      equal(s.previousConnection, true, 'previousConnection');
      equal(await first.closeCode(), 4000, 'close code of the replaced connection');
      const c = await ctx.control(deviceId);
      second.send({ type: 'message', payload: { from: 'second' } });
      equal((await c.expect('message')).payload, { from: 'second' }, 'relay from the surviving connection');
    },
  },
];
