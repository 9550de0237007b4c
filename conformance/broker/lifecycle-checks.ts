import { runCommand } from '../runner/adapters/shell.ts';
import { Skip } from '../runner/check.ts';
import type { Check } from './check.ts';
import type { CheckContext } from './context.ts';
import { equal, error, timestamped } from './expect.ts';
import { CheckFailure, type Frame, Peer } from './peer.ts';

/** How long past the documented interval the suite waits: the broker's timer and the network need a moment. */
const SLACK_MS = 3_000;

/** A command from one control app to one of several connected devices. */
async function command(control: Peer, deviceId: string): Promise<void> {
  control.send({ type: 'message', deviceId, payload: { for: deviceId } });
  await control.expect('success');
}

/** Runs the operator's command and checks that the device and the control app close with `code`. */
async function closedBy(ctx: CheckContext, commandLine: string | undefined, flag: string, code: number): Promise<void> {
  if (commandLine === undefined) throw new Skip(`give --${flag} to check the close code ${code}`);
  await reachable(ctx);
  const deviceId = ctx.id(flag);
  const device = await ctx.registered(deviceId);
  const control = await ctx.control(deviceId);
  const ran = await runCommand(commandLine);
  if (ran.code !== 0) throw new CheckFailure(`--${flag} exited with ${ran.code}: ${ran.output}`);
  equal((await device.closedWithin(ctx.timeoutMs)).code, code, 'close code of the device');
  equal((await control.closedWithin(ctx.timeoutMs)).code, code, 'close code of the control app');
}

/** Waits until the broker welcomes a device (after a restart the operator's supervisor brings it back). */
async function reachable(ctx: CheckContext): Promise<void> {
  const deadline = Date.now() + 4 * ctx.timeoutMs;
  const url = `${ctx.target.url.replace(/\/+$/, '')}/devices?apiKey=${encodeURIComponent(ctx.target.deviceKey)}`;
  for (;;) {
    let probe: Peer | undefined;
    try {
      probe = await Peer.open(url, { timeoutMs: ctx.timeoutMs });
      // a broker that is going away may still take the connection, but it welcomes no one
      await probe.expect('welcome', ctx.timeoutMs);
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new CheckFailure(`the broker takes no devices: ${e instanceof Error ? e.message : e}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      probe?.ws.terminate();
    }
  }
}

// 002 "Only ONE device…", "Best Practices" 2 (heartbeat) and the close codes of shutdown and restart;
// docs/broker.md: timestamps in ISO 8601 UTC with milliseconds on every frame
export const lifecycleChecks: readonly Check[] = [
  {
    name: 'relay: with several devices connected, a command reaches the device it names and no other',
    async run(ctx) {
      const ids = ['one', 'two', 'three'].map((n) => ctx.id(n));
      const devices = await Promise.all(ids.map((id) => ctx.registered(id)));
      const control = await ctx.control();
      await command(control, ids[1]!);
      equal((await devices[1]!.expect('message')).payload, { for: ids[1] }, 'what the named device got');
      for (const index of [0, 2]) {
        await command(control, ids[index]!);
        equal(
          (await devices[index]!.expect('message')).payload,
          { for: ids[index] },
          `first command ${ids[index]} got`,
        );
      }
      equal(devices[1]!.pending().length, 0, 'frames left for the first device');
    },
  },
  {
    name: 'relay: a device message reaches the subscribers of that device only',
    async run(ctx) {
      const [a, b] = [ctx.id('a'), ctx.id('b')];
      const devices = [await ctx.registered(a), await ctx.registered(b)];
      const ofA = await ctx.control(a);
      const ofB = await ctx.control(b);
      devices[1]!.send({ type: 'message', payload: { from: 'b' } });
      equal((await ofB.expect('message')).deviceId, b, 'deviceId at the subscriber of b');
      devices[0]!.send({ type: 'message', payload: { from: 'a' } });
      const m = await ofA.expect('message');
      equal([m.deviceId, m.payload], [a, { from: 'a' }], 'the first frame at the subscriber of a');
    },
  },
  {
    name: 'frames: every frame the broker sends carries the time of sending, ISO 8601 UTC with milliseconds',
    async run(ctx) {
      const deviceId = ctx.id('stamps');
      const frames: Array<[string, Frame]> = [];
      const control = await ctx.open('/control', { query: `?apiKey=${encodeURIComponent(ctx.target.controlKey)}` });
      frames.push(['control welcome', await control.expect('welcome')]);
      control.send({ type: 'subscribe', deviceId });
      frames.push(['subscribed', await control.expect('success')]);
      const device = await ctx.open('/devices', { query: `?apiKey=${encodeURIComponent(ctx.target.deviceKey)}` });
      frames.push(['device welcome', await device.expect('welcome')]);
      device.send({ type: 'register', deviceId });
      frames.push(['registered', await device.expect('success')]);
      frames.push(['device_connected', await control.expect('device_connected')]);
      device.send({ type: 'message', payload: { n: 1 } });
      frames.push(['relayed message', await control.expect('message')]);
      control.send({ type: 'message', deviceId, payload: { n: 2 } });
      frames.push(['command', await device.expect('message')]);
      frames.push(['sent', await control.expect('success')]);
      control.send({ type: 'list_devices' });
      frames.push(['list_devices', await control.expect('success')]);
      device.send('{not json');
      frames.push(['device error', await device.expect('error')]);
      control.send({ type: 'dance' });
      frames.push(['control error', await control.expect('error')]);
      device.close();
      frames.push(['device_disconnected', await control.expect('device_disconnected')]);
      control.send({ type: 'unsubscribe', deviceId });
      frames.push(['unsubscribed', await control.expect('success')]);
      for (const [what, frame] of frames) timestamped(frame, what);
    },
  },
  {
    name: 'heartbeat: the broker pings devices and control apps within one interval (002 Best Practices 2)',
    async run(ctx) {
      const device = await ctx.registered(ctx.id('pinged'));
      const control = await ctx.control();
      await Promise.all([device.ping(ctx.heartbeatMs + SLACK_MS), control.ping(ctx.heartbeatMs + SLACK_MS)]);
    },
  },
  {
    name: 'heartbeat: a device that answers no ping is dropped within two intervals; its subscribers hear device_disconnected',
    async run(ctx) {
      const deviceId = ctx.id('dead');
      const control = await ctx.control(deviceId);
      const dead = await ctx.registered(deviceId, undefined, { autoPong: false });
      await control.expect('device_connected');
      const budget = 2 * ctx.heartbeatMs + SLACK_MS;
      equal((await control.expect('device_disconnected', budget)).deviceId, deviceId, 'device_disconnected');
      await dead.closedWithin(ctx.timeoutMs);
    },
  },
  {
    name: 'heartbeat: a connection that never registers gets registration-timeout and close 1008 by the second round',
    async run(ctx) {
      const idle = await ctx.device();
      const budget = 2 * ctx.heartbeatMs + SLACK_MS;
      error(
        await idle.next('a registration-timeout error', budget),
        'registration-timeout',
        'No register message within one heartbeat interval',
        'unregistered connection',
      );
      equal((await idle.closedWithin(ctx.timeoutMs)).code, 1008, 'close code');
    },
  },
  {
    name: 'restart: the broker closes every device and control app with 1012 (002 Reconnection Strategy)',
    run: (ctx) => closedBy(ctx, ctx.target.restartCommand, 'restart-command', 1012),
  },
  {
    name: 'shutdown: the broker closes every device and control app with 1001 (002 Reconnection Strategy)',
    run: (ctx) => closedBy(ctx, ctx.target.shutdownCommand, 'shutdown-command', 1001),
  },
];
