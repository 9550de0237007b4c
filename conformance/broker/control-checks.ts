import type { Check } from './check.ts';
import { equal, error, timestamped, withoutTimestamp } from './expect.ts';
import { CheckFailure, Peer } from './peer.ts';

// The control endpoint (docs/sources.md, the machine broker's control side, docs/broker.md) and the end of the lifecycle (002 step 6)
export const controlChecks: readonly Check[] = [
  {
    name: 'control: welcome carries a connectionId, and a device key is refused with 1008',
    async run(ctx) {
      const c = await ctx.open('/control', { query: `?apiKey=${encodeURIComponent(ctx.target.controlKey)}` });
      const w = await c.expect('welcome');
      timestamped(w, 'welcome');
      if (typeof w.connectionId !== 'string' || w.connectionId === '')
        throw new CheckFailure(`welcome without connectionId: ${JSON.stringify(w)}`);
      const bad = await ctx.open('/control', { headers: { 'X-API-Key': ctx.target.deviceKey } });
      error(await bad.next(), 'invalid-api-key', 'Invalid or missing API key', 'device key on /control');
      equal(await bad.closeCode(), 1008, 'close code');
    },
  },
  {
    name: 'control: list_devices reports deviceId, connectedAt, metadata and subscriberCount',
    async run(ctx) {
      const deviceId = ctx.id('list');
      await ctx.registered(deviceId, { name: 'Temperature Sensor', type: 'sensor' });
      await ctx.control(deviceId);
      const c = await ctx.control();
      c.send({ type: 'list_devices', requestId: 'l-1' });
      const s = await c.expect('success');
      equal(s.action, 'list_devices', 'action');
      equal(s.requestId, 'l-1', 'requestId echo');
      const entry = (s.devices as Array<Record<string, unknown>>).find((e) => e.deviceId === deviceId);
      if (entry === undefined) throw new CheckFailure(`${deviceId} missing from ${JSON.stringify(s.devices)}`);
      timestamped({ timestamp: entry.connectedAt }, 'connectedAt');
      equal(
        { ...entry, connectedAt: undefined },
        { deviceId, metadata: { name: 'Temperature Sensor', type: 'sensor' }, subscriberCount: 1 },
        'device entry',
      );
    },
  },
  {
    name: 'control: subscribers hear device_connected and device_disconnected; the subscription outlives the device',
    async run(ctx) {
      const deviceId = ctx.id('events');
      const c = await ctx.control(deviceId);
      const d = await ctx.registered(deviceId, { v: 1 });
      equal(
        withoutTimestamp(await c.expect('device_connected')),
        { type: 'device_connected', deviceId, metadata: { v: 1 }, previousConnection: false },
        'device_connected',
      );
      d.close();
      equal(
        withoutTimestamp(await c.expect('device_disconnected')),
        { type: 'device_disconnected', deviceId },
        'device_disconnected',
      );
      const again = await ctx.registered(deviceId);
      await c.expect('device_connected');
      again.send({ type: 'message', payload: { back: true } });
      equal((await c.expect('message')).payload, { back: true }, 'relay after the device came back');
    },
  },
  {
    name: 'control: unsubscribe stops the relay',
    async run(ctx) {
      const deviceId = ctx.id('unsub');
      const d = await ctx.registered(deviceId);
      const leaving = await ctx.control(deviceId);
      const witness = await ctx.control(deviceId);
      leaving.send({ type: 'unsubscribe', deviceId });
      equal(
        withoutTimestamp(await leaving.expect('success')),
        { type: 'success', action: 'unsubscribed', deviceId },
        'unsubscribe response',
      );
      d.send({ type: 'message', payload: { n: 1 } });
      await witness.expect('message');
      // anything relayed to `leaving` would be queued before this reply on its connection
      leaving.send({ type: 'list_devices' });
      await leaving.expect('success');
    },
  },
  {
    name: 'control: errors for a command to an absent device and for bad requests',
    async run(ctx) {
      const c = await ctx.control();
      c.send({ type: 'message', deviceId: ctx.id('nobody'), payload: { x: 1 } });
      error(
        await c.next(),
        'device-not-connected',
        `Device not connected: ${ctx.id('nobody')}`,
        'command to an absent device',
      );
      c.send({ type: 'subscribe', deviceId: 'no/slash' });
      error(await c.next(), 'invalid-device-id', 'Invalid deviceId format', 'subscribe to a malformed id');
      c.send({ type: 'subscribe' });
      error(await c.next(), 'missing-device-id', 'Missing or invalid deviceId', 'subscribe without id');
      c.send({ type: 'message', deviceId: ctx.id('nobody'), payload: 3 });
      error(
        await c.next(),
        'invalid-payload',
        'Invalid payload: expected a JSON object',
        'command with a number payload',
      );
      c.send('nope');
      error(await c.next(), 'invalid-json', 'Invalid JSON', 'text that is not JSON');
      c.send({ type: 'dance' });
      error(await c.next(), 'unknown-type', 'Unknown message type: "dance"', 'unknown type');
    },
  },
  {
    name: 'lifecycle: a device that closes disappears from list_devices',
    async run(ctx) {
      const deviceId = ctx.id('bye');
      const d = await ctx.registered(deviceId);
      const c = await ctx.control(deviceId);
      d.close();
      await c.expect('device_disconnected');
      c.send({ type: 'list_devices' });
      const s = await c.expect('success');
      if ((s.devices as Array<{ deviceId: string }>).some((e) => e.deviceId === deviceId))
        throw new CheckFailure(`${deviceId} still listed after closing`);
    },
  },
  {
    name: 'lifecycle: any other path is refused with HTTP 404',
    async run(ctx) {
      try {
        const p = await Peer.open(
          `${ctx.target.url.replace(/\/+$/, '')}/elsewhere?apiKey=${encodeURIComponent(ctx.target.deviceKey)}`,
        );
        p.ws.terminate();
      } catch (e) {
        if (e instanceof CheckFailure && e.message.includes('HTTP 404')) return;
        throw e;
      }
      throw new CheckFailure('the upgrade to /elsewhere succeeded');
    },
  },
];
