import { Agent, type AgentEvent, type AgentStore, Handlers, httpTransport, memoryStore } from '@fleetkit/agent';
import { silentLogger } from '@fleetkit/core';
import { type Check, CheckFailure, Skip } from '../runner/check.ts';
import { provisioningKey, register } from '../runner/devices/fleetkit-http.ts';
import type { Env } from '../runner/env.ts';
import { ensure, equal, includes, show } from '../runner/expect.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { RPC_MODULE, RPC_YANG, WEATHER_APP } from './modules.ts';
import { readArea } from './shared.ts';

const WEATHER = 'weather_app-1.0';

/** Short intervals, so that the loops of 000 turn in moments (its own: 10–30 min, 5–30 s). */
const TIMING = {
  registrationInterval: { minMs: 200, maxMs: 300 },
  telemetryInterval: { minMs: 200, maxMs: 300 },
  backoff: { baseMs: 100, capMs: 500, jitter: 0.2 },
};

/** A real fleetkit agent and every event it has had, to wait on. */
class Played {
  readonly agent: Agent;
  readonly events: AgentEvent[] = [];
  readonly #wakers = new Set<() => void>();

  constructor(agent: Agent) {
    this.agent = agent;
    agent.onEvent((event) => {
      this.events.push(event);
      for (const wake of this.#wakers) wake();
    });
  }

  /** The first event from `from` on matching `match`, waiting up to `ms`. */
  async event<T extends AgentEvent>(match: (e: AgentEvent) => e is T, what: string, ms: number, from = 0): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CheckFailure(
          `no ${what} within ${ms} ms; the agent's events: ${show(this.events.map((e) => e.type))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#wakers.add(wake);
      });
    }
  }
}

const is =
  <K extends AgentEvent['type']>(type: K, extra: (e: Extract<AgentEvent, { type: K }>) => boolean = () => true) =>
  (e: AgentEvent): e is Extract<AgentEvent, { type: K }> =>
    e.type === type && extra(e as Extract<AgentEvent, { type: K }>);

/**
 * Document 000, the device-side flow, driven by the real fleetkit agent
 * against the server's HTTP device API: initialisation, the registration
 * loop, the telemetry loop with its three outcomes (401, nothing pending,
 * work pending) and the handling code for commands and configuration.
 */
export const agentFlow: Suite = {
  name: 'agent-flow',
  title: 'device agent flow (document 000)',
  async plan(env: Env) {
    if (env.devices.name !== 'fleetkit-http') {
      throw new Skip('document 000 is the flow of the HTTP device API: run it with --device-api fleetkit-http');
    }
    const tenant = await Tenant.create(env, 'af');
    await tenant.module(RPC_MODULE, RPC_YANG);
    await tenant.module(WEATHER, WEATHER_APP);
    await tenant.grant('admin', RPC_MODULE, 'beep');
    const type = await tenant.type('agent-type');
    const agents: Agent[] = [];
    const applied: unknown[] = [];
    const start = (deviceId: string, options: { type?: string; store?: AgentStore; handlers?: Handlers } = {}) => {
      const agent = new Agent({
        transport: httpTransport({ url: env.url }),
        registration: {
          account: tenant.account,
          provisioningKey: provisioningKey(tenant, options.type ?? type),
          deviceId,
        },
        store: options.store ?? memoryStore(),
        handlers:
          options.handlers ??
          new Handlers()
            .command(`${RPC_MODULE}:beep`, (command) => ({ echoed: command.parameters.text }))
            .config((config) => {
              applied.push(config);
            }),
        timing: TIMING,
        logger: silentLogger,
      });
      agents.push(agent);
      const played = new Played(agent);
      agent.start();
      return played;
    };
    const wait = env.waitMs;
    let first: Played | undefined;
    const need = (): Played => {
      if (first === undefined) throw new CheckFailure('needs the agent of the first check');
      return first;
    };

    const checks: Check[] = [
      {
        name: '000 Initialization and Registration loop: an agent without auth data registers at once',
        async run() {
          first = start('agent-1');
          await first.event(is('registered'), 'registration', wait);
          tenant.undo('exodm:delete-devices', { 'device-id': ['agent-1'] });
          // a valid provisioning key registers a new device on the first attempt
          const refused = first.events.filter((e) => e.type === 'registration-failed');
          ensure(refused.length === 0, `registration was refused first: ${show(refused)}`);
          const found = await tenant.call('exodm:lookup-device', { 'device-id': 'agent-1' });
          equal(found.result?.result, 'ok', 'lookup-device of the registered device');
        },
      },
      {
        name: '000 Telemetry loop: the agent reports its status every interval, and the server sees it on-line',
        async run() {
          const played = need();
          const from = played.events.length;
          await played.event(is('telemetry'), 'a telemetry beat', wait, from);
          const second = played.events.length;
          await played.event(is('telemetry'), 'a second telemetry beat', wait, second);
          const seen = await tenant.call('exodm:lookup-device-attributes', {
            'device-id': 'agent-1',
            attributes: ['is-connected'],
          });
          equal(seen.result?.attributes, [{ name: 'is-connected', val: 'true' }], 'is-connected');
        },
      },
      {
        name: '000 Telemetry loop, case 3, and Handling code: a pending command is fetched, carried out and reported',
        async run() {
          const played = need();
          const backend = env.listener.endpoint('agent-command');
          const from = played.events.length;
          const accepted = await tenant.call(`${RPC_MODULE}:beep`, {
            'device-id': 'agent-1',
            text: 'hello agent',
            'notification-url': backend.url,
          });
          equal(accepted.result?.['rpc-status'], 'accepted', 'the request');
          await played.event(
            is('command', (e) => e.status === 'done'),
            'the command done',
            wait,
            from,
          );
          const final = await backend.waitFor((r) => r.body.params?.final === true, 'the final callback', wait);
          includes(final.body.params, { 'rpc-status': 'complete', echoed: 'hello agent' }, 'the final callback');
        },
      },
      {
        name: '000 Handling code: a configuration update is fetched, applied and confirmed',
        async run() {
          const played = need();
          const from = played.events.length;
          await tenant.ok('exodm:update-config-data', {
            'device-id': 'agent-1',
            module: WEATHER,
            values: { location: 'Bro' },
          });
          await tenant.ok('exodm:push-config-data', { 'device-id': 'agent-1' });
          await played.event(
            is('config', (e) => e.status === 'done'),
            'the configuration done',
            wait,
            from,
          );
          includes(
            { applied: applied.at(-1) },
            { applied: { updates: [{ module: WEATHER, values: { location: 'Bro' } }] } },
            'what the agent applied',
          );
          const deadline = Date.now() + wait;
          let installed = await readArea(tenant, 'agent-1', WEATHER, 'installed');
          while (JSON.stringify(installed) === '{}' && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            installed = await readArea(tenant, 'agent-1', WEATHER, 'installed');
          }
          equal(installed, { location: 'Bro' }, 'installed values');
        },
      },
      {
        name: '000 Handling code, docs/server.md: a configuration the device posts back without a status (the fetched object echoed) is done',
        async run() {
          // a raw device, not the agent: the agent always states the status it reports
          const credentials = await register(env.url, {
            account: tenant.account,
            device_id: 'raw-config',
            provisioning_key: provisioningKey(tenant, type),
          });
          tenant.undo('exodm:delete-devices', { 'device-id': ['raw-config'] });
          await tenant.ok('exodm:update-config-data', {
            'device-id': 'raw-config',
            module: WEATHER,
            values: { location: 'Lund' },
          });
          await tenant.ok('exodm:push-config-data', { 'device-id': 'raw-config' });
          const url = new URL(`v1/devices/${encodeURIComponent(credentials.id)}/config`, credentials.hub_url);
          const headers = { authorization: credentials.access_key, 'content-type': 'application/json' };
          const fetched = await fetch(url, { headers });
          const pending = (await fetched.json()) as Record<string, unknown>;
          ensure(fetched.status === 200 && pending.id !== undefined, `GET config: ${fetched.status} ${show(pending)}`);
          const posted = await fetch(url, { method: 'POST', headers, body: JSON.stringify(pending) });
          const answer = (await posted.json()) as Record<string, unknown>;
          includes({ status: posted.status, answer }, { status: 200, answer: { status: 'done' } }, 'POST config');
          // the ack installs the values as the transaction's final event is handled, not within the call
          const deadline = Date.now() + wait;
          let installed = await readArea(tenant, 'raw-config', WEATHER, 'installed');
          while (JSON.stringify(installed) === '{}' && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            installed = await readArea(tenant, 'raw-config', WEATHER, 'installed');
          }
          equal(installed, { location: 'Lund' }, 'installed values');
        },
      },
      {
        name: '000 Telemetry loop, case 1: after the device was deleted, 401 sends the agent back to the registration loop',
        async run() {
          const played = need();
          const from = played.events.length;
          await tenant.ok('exodm:delete-devices', { 'device-id': ['agent-1'] });
          await played.event(
            is('auth-lost', (e) => e.status === 401),
            'a 401 that clears the auth data',
            wait,
            from,
          );
          await played.event(is('registered'), 'the registration after the 401', wait, from);
          equal(
            (await tenant.call('exodm:lookup-device', { 'device-id': 'agent-1' })).result?.result,
            'ok',
            'the device again',
          );
        },
      },
      {
        name: '000 Registration loop: the agent keeps trying until the server takes it',
        async run() {
          // a type whose provisioning key the server does not know yet
          await tenant.ok('exodm:create-device-type', { name: 'late-type', protocol: 'fleetkit-http' });
          tenant.undo('exodm:delete-device-type', { name: 'late-type' });
          const played = start('agent-late', { type: 'late-type' });
          tenant.undo('exodm:delete-devices', { 'device-id': ['agent-late'] });
          await played.event(is('registration-failed'), 'a refused registration', wait);
          const next = played.events.findIndex((e) => e.type === 'registration-failed') + 1;
          await played.event(is('registration-failed'), 'a second attempt, refused too', wait, next);
          ensure(
            !played.events.some((e) => e.type === 'registered'),
            'the agent registered with a key the server does not know',
          );
          await tenant.ok('exodm:update-device-type', {
            name: 'late-type',
            'provisioning-key': provisioningKey(tenant, 'late-type'),
          });
          await played.event(is('registered'), 'the registration once the key exists', wait);
        },
      },
      {
        name: '000 Initialization: a command that reset the device is finished after the restart and reported',
        async run() {
          const store = memoryStore();
          const backend = env.listener.endpoint('agent-reboot');
          let rebooting: Agent | undefined;
          const handlers = (): Handlers =>
            new Handlers().command(`${RPC_MODULE}:beep`, {
              // the device goes down in the middle of the command: nothing more is reported
              execute: () => {
                void rebooting?.stop();
                return new Promise(() => {});
              },
              finish: () => ({ echoed: 'after the reboot' }),
            });
          const before = start('agent-reboot', { store, handlers: handlers() });
          rebooting = before.agent;
          tenant.undo('exodm:delete-devices', { 'device-id': ['agent-reboot'] });
          await before.event(is('registered'), 'registration', wait);
          await tenant.call(`${RPC_MODULE}:beep`, {
            'device-id': 'agent-reboot',
            text: 'reboot',
            'notification-url': backend.url,
          });
          await before.event(is('stopped'), 'the power cut', wait);
          const after = start('agent-reboot', { store, handlers: handlers() });
          await after.event(
            is('command', (e) => e.resumed && e.status === 'done'),
            'the command finished after the restart',
            wait,
          );
          const final = await backend.waitFor((r) => r.body.params?.final === true, 'the final callback', wait);
          includes(final.body.params, { 'rpc-status': 'complete', echoed: 'after the reboot' }, 'the final callback');
        },
      },
    ];
    return {
      checks,
      async dispose() {
        await Promise.allSettled(agents.map((agent) => agent.stop()));
        await tenant.dispose();
      },
    };
  },
};
