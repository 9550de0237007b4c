// An agent of device type `meter` on a ManualClock against a test server.
import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { Agent, type AgentOptions, type FetchFunction, httpTransport } from '../src/index.ts';
import { Recorder } from './events.ts';
import { METER_KEY, type TestServer } from './server-fixture.ts';

/** An agent, its clock and its recorded events. */
export interface TestAgent {
  readonly agent: Agent;
  readonly clock: ManualClock;
  readonly events: Recorder;
}

/** A new agent for `deviceId` (not started); `fetch` replaces the server's (to cut the network), `url` its URL. */
export function agentFor(
  t: TestServer,
  deviceId: string,
  extra: Partial<AgentOptions> & { readonly fetch?: FetchFunction; readonly url?: string } = {},
): TestAgent {
  const { fetch: fetchFunction, url, ...options } = extra;
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock();
  const agent = new Agent({
    transport: httpTransport({ url: url ?? t.url, fetch: fetchFunction ?? t.fetch }),
    registration: { account: 'acme', provisioningKey: METER_KEY, deviceId },
    random: new SeededRandom(deviceId.length),
    logger: silentLogger,
    ...options,
    clock,
  });
  return { agent, clock, events: new Recorder(agent) };
}

/** A fetch that fails like a network without a route while `down()` says so, and counts the calls that went through. */
export function cuttable(fetchFunction: FetchFunction, down: () => boolean): FetchFunction & { calls: string[] } {
  const calls: string[] = [];
  const cut: FetchFunction = (input, init) => {
    if (down()) return Promise.reject(new TypeError('fetch failed: network unreachable'));
    calls.push(`${init.method ?? 'GET'} ${input.slice(input.lastIndexOf('/') + 1)}`);
    return fetchFunction(input, init);
  };
  return Object.assign(cut, { calls });
}

/** A promise and the functions that settle it, for a handler the test lets finish. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
