import type { CheckContext } from './context.ts';
import { equal, error, timestamped, withoutTimestamp } from './expect.ts';
import { CheckFailure, Peer } from './peer.ts';

/** One step of the lifecycle, named as a behaviour. */
export interface Check {
  readonly name: string;
  run(ctx: CheckContext): Promise<void>;
}

// 002 Step 1 to Step 5, then the errors, eviction and close codes, then the control side (docs/broker.md)
export const checks: readonly Check[] = [
  {
    name: 'device: connecting with ?apiKey= gets the welcome of 002 Step 2',
    async run(ctx) {
      const d = await ctx.open('/devices', { query: `?apiKey=${encodeURIComponent(ctx.target.deviceKey)}` });
      const w = await d.expect('welcome');
      timestamped(w, 'welcome');
      equal(withoutTimestamp(w), { type: 'welcome', message: 'Connected to device endpoint. Send register message with deviceId.' }, 'welcome');
    },
  },
  {
    name: 'device: the X-API-Key header is accepted too',
    async run(ctx) {
      const d = await ctx.open('/devices', { headers: { 'X-API-Key': ctx.target.deviceKey } });
      await d.expect('welcome');
    },
  },
  {
    name: 'device: a wrong or missing key gets an invalid-api-key error and close 1008',
    async run(ctx) {
      for (const query of ['?apiKey=wrong-key', '', `?apiKey=${encodeURIComponent(ctx.target.controlKey)}`]) {
        const d = await ctx.open('/devices', { query });
        error(await d.next('an error frame'), 'invalid-api-key', 'Invalid or missing API key', `key ${JSON.stringify(query)}`);
        equal(await d.closeCode(), 1008, `close code for key ${JSON.stringify(query)}`);
      }
    },
  },
  {
    name: 'device: register gets success with action, deviceId, previousConnection false and an ISO 8601 timestamp',
    async run(ctx) {
      const d = await ctx.device();
      const deviceId = ctx.id('reg');
      d.send({ type: 'register', deviceId, metadata: { name: 'Human-readable name', label: 'Optional display label', type: 'sensor', version: '1.0.0' } });
      const s = await d.expect('success');
      timestamped(s, 'success');
      equal(withoutTimestamp(s), { type: 'success', action: 'registered', deviceId, previousConnection: false }, 'registration response');
    },
  },
  {
    name: 'device: the three documented error strings, verbatim',
    async run(ctx) {
      const d = await ctx.device();
      d.send({ type: 'message', payload: { early: true } });
      error(await d.next(), 'device-not-registered', 'Device not registered', 'message before register');
      d.send({ type: 'register' });
      error(await d.next(), 'missing-device-id', 'Missing or invalid deviceId', 'register without deviceId');
      d.send({ type: 'register', deviceId: 17 });
      error(await d.next(), 'missing-device-id', 'Missing or invalid deviceId', 'numeric deviceId');
      d.send({ type: 'register', deviceId: 'bad id!' });
      error(await d.next(), 'invalid-device-id', 'Invalid deviceId format', 'deviceId with a space');
      d.send({ type: 'register', deviceId: 'x'.repeat(65) });
      error(await d.next(), 'invalid-device-id', 'Invalid deviceId format', 'deviceId of 65 characters');
    },
  },
  {
    name: 'device: a 64-character deviceId of letters, digits, - and _ is accepted',
    async run(ctx) {
      const d = await ctx.device();
      const deviceId = `${ctx.prefix}_-`.padEnd(64, 'Z9');
      d.send({ type: 'register', deviceId });
      equal((await d.expect('success')).deviceId, deviceId, 'registered deviceId');
    },
  },
  {
    name: 'device: bad input gets a documented error and the connection stays usable',
    async run(ctx) {
      const d = await ctx.registered(ctx.id('bad'));
      const limit = ctx.target.maxMessageBytes ?? 65_536;
      const cases: Array<[unknown, string, string | RegExp]> = [
        ['{not json', 'invalid-json', 'Invalid JSON'],
        [{ type: 'teleport' }, 'unknown-type', 'Unknown message type: "teleport"'],
        [{ payload: {} }, 'invalid-message', 'Message must be a JSON object with a string "type"'],
        [{ type: 'message', payload: [1, 2] }, 'invalid-payload', 'Invalid payload: expected a JSON object'],
        [{ type: 'message', payload: 'text' }, 'invalid-payload', 'Invalid payload: expected a JSON object'],
        [{ type: 'message', payload: { blob: 'x'.repeat(limit) } }, 'message-too-large', /^Message too large: \d+ bytes, the limit is \d+$/],
        [{ type: 'register', deviceId: ctx.id('other') }, 'already-registered', /^Connection already registered with another deviceId/],
      ];
      for (const [frame, code, text] of cases) {
        d.send(frame);
        error(await d.next(), code, text, `reply to ${JSON.stringify(frame).slice(0, 60)}`);
      }
      d.send({ type: 'register', deviceId: ctx.id('bad') });
      await d.expect('success');
    },
  },
  {
    name: 'relay: a device message reaches each subscribed control app as {type, deviceId, payload, timestamp}',
    async run(ctx) {
      const deviceId = ctx.id('relay');
      const d = await ctx.registered(deviceId);
      const a = await ctx.control(deviceId);
      const b = await ctx.control(deviceId);
      const payload = { temperature: 23.5, humidity: 65, status: 'ok' };
      d.send({ type: 'message', payload });
      for (const [name, c] of [['first', a], ['second', b]] as const) {
        const m = await c.expect('message');
        timestamped(m, `${name} subscriber`);
        equal(withoutTimestamp(m), { type: 'message', deviceId, payload }, `${name} subscriber's frame`);
      }
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
      equal(withoutTimestamp(await c.expect('success')), { type: 'success', action: 'sent', deviceId, requestId: 'c-1' }, 'acknowledgement');
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
  {
    name: 'control: welcome carries a connectionId, and a device key is refused with 1008',
    async run(ctx) {
      const c = await ctx.open('/control', { query: `?apiKey=${encodeURIComponent(ctx.target.controlKey)}` });
      const w = await c.expect('welcome');
      timestamped(w, 'welcome');
      if (typeof w.connectionId !== 'string' || w.connectionId === '') throw new CheckFailure(`welcome without connectionId: ${JSON.stringify(w)}`);
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
      equal({ ...entry, connectedAt: undefined }, { deviceId, metadata: { name: 'Temperature Sensor', type: 'sensor' }, subscriberCount: 1 }, 'device entry');
    },
  },
  {
    name: 'control: subscribers hear device_connected and device_disconnected; the subscription outlives the device',
    async run(ctx) {
      const deviceId = ctx.id('events');
      const c = await ctx.control(deviceId);
      const d = await ctx.registered(deviceId, { v: 1 });
      equal(withoutTimestamp(await c.expect('device_connected')), { type: 'device_connected', deviceId, metadata: { v: 1 }, previousConnection: false }, 'device_connected');
      d.close();
      equal(withoutTimestamp(await c.expect('device_disconnected')), { type: 'device_disconnected', deviceId }, 'device_disconnected');
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
      equal(withoutTimestamp(await leaving.expect('success')), { type: 'success', action: 'unsubscribed', deviceId }, 'unsubscribe response');
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
      error(await c.next(), 'device-not-connected', `Device not connected: ${ctx.id('nobody')}`, 'command to an absent device');
      c.send({ type: 'subscribe', deviceId: 'no/slash' });
      error(await c.next(), 'invalid-device-id', 'Invalid deviceId format', 'subscribe to a malformed id');
      c.send({ type: 'subscribe' });
      error(await c.next(), 'missing-device-id', 'Missing or invalid deviceId', 'subscribe without id');
      c.send({ type: 'message', deviceId: ctx.id('nobody'), payload: 3 });
      error(await c.next(), 'invalid-payload', 'Invalid payload: expected a JSON object', 'command with a number payload');
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
      if ((s.devices as Array<{ deviceId: string }>).some((e) => e.deviceId === deviceId)) throw new CheckFailure(`${deviceId} still listed after closing`);
    },
  },
  {
    name: 'lifecycle: any other path is refused with HTTP 404',
    async run(ctx) {
      try {
        const p = await Peer.open(`${ctx.target.url.replace(/\/+$/, '')}/elsewhere?apiKey=${encodeURIComponent(ctx.target.deviceKey)}`);
        p.ws.terminate();
      } catch (e) {
        if (e instanceof CheckFailure && e.message.includes('HTTP 404')) return;
        throw e;
      }
      throw new CheckFailure('the upgrade to /elsewhere succeeded');
    },
  },
];
