import type { Check } from './check.ts';
import { equal, error, timestamped, withoutTimestamp } from './expect.ts';

// 002 Steps 1 to 3 and "Error Messages": the device side up to registration, and bad input
export const deviceChecks: readonly Check[] = [
  {
    name: 'device: connecting with ?apiKey= gets the welcome of 002 Step 2',
    async run(ctx) {
      const d = await ctx.open('/devices', { query: `?apiKey=${encodeURIComponent(ctx.target.deviceKey)}` });
      const w = await d.expect('welcome');
      timestamped(w, 'welcome');
      equal(
        withoutTimestamp(w),
        { type: 'welcome', message: 'Connected to device endpoint. Send register message with deviceId.' },
        'welcome',
      );
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
    name: 'device: with both, the ?apiKey= query wins over the X-API-Key header',
    async run(ctx) {
      const right = encodeURIComponent(ctx.target.deviceKey);
      const kept = await ctx.open('/devices', { query: `?apiKey=${right}`, headers: { 'X-API-Key': 'wrong-key' } });
      await kept.expect('welcome');
      const refused = await ctx.open('/devices', {
        query: '?apiKey=wrong-key',
        headers: { 'X-API-Key': ctx.target.deviceKey },
      });
      error(await refused.next('an error frame'), 'invalid-api-key', 'Invalid or missing API key', 'a wrong query key');
    },
  },
  {
    name: 'device: a wrong or missing key gets an invalid-api-key error and close 1008',
    async run(ctx) {
      for (const query of ['?apiKey=wrong-key', '', `?apiKey=${encodeURIComponent(ctx.target.controlKey)}`]) {
        const d = await ctx.open('/devices', { query });
        error(
          await d.next('an error frame'),
          'invalid-api-key',
          'Invalid or missing API key',
          `key ${JSON.stringify(query)}`,
        );
        equal(await d.closeCode(), 1008, `close code for key ${JSON.stringify(query)}`);
      }
    },
  },
  {
    name: 'device: register gets success with action, deviceId, previousConnection false and an ISO 8601 timestamp',
    async run(ctx) {
      const d = await ctx.device();
      const deviceId = ctx.id('reg');
      d.send({
        type: 'register',
        deviceId,
        metadata: { name: 'Human-readable name', label: 'Optional display label', type: 'sensor', version: '1.0.0' },
      });
      const s = await d.expect('success');
      timestamped(s, 'success');
      equal(
        withoutTimestamp(s),
        { type: 'success', action: 'registered', deviceId, previousConnection: false },
        'registration response',
      );
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
        [
          { type: 'message', payload: { blob: 'x'.repeat(limit) } },
          'message-too-large',
          /^Message too large: \d+ bytes, the limit is \d+$/,
        ],
        [
          { type: 'register', deviceId: ctx.id('other') },
          'already-registered',
          /^Connection already registered with another deviceId/,
        ],
      ];
      for (const [frame, code, text] of cases) {
        d.send(frame);
        error(await d.next(), code, text, `reply to ${JSON.stringify(frame).slice(0, 60)}`);
      }
      d.send({ type: 'register', deviceId: ctx.id('bad') });
      await d.expect('success');
    },
  },
];
