import type { SocketFactory } from '@fleetkit/broker';
import { type Clock, cryptoRandom, type Logger, type Random, silentLogger } from '@fleetkit/core';
import type { FetchFunction } from '../_internal/http-call.ts';
import { Agent } from '../agent.ts';
import { brokerTransport } from '../broker-transport.ts';
import { AgentError, AgentErrorCode } from '../errors.ts';
import type { AgentEvent } from '../events.ts';
import type { Handlers } from '../handlers.ts';
import { httpTransport } from '../http-transport.ts';
import { MemoryStore } from '../store.ts';
import { SharedTimers } from '../timer-heap.ts';
import { type AgentTiming, drawInterval } from '../timing.ts';
import type { Transport } from '../transport.ts';
import type { Registration, TelemetryReport } from '../types.ts';
import { type Behaviour, type BehaviourScript, behaviourPicker, DEFAULT_SCRIPT } from './behaviours.ts';
import { countEvent, emptyCounts, type FleetCounts } from './counts.ts';
import { faultyFetch, faultySocket, type NetworkFault } from './faults.ts';
import { failingHandlers, rebootingHandlers, slowHandlers, steadyHandlers } from './handlers.ts';

/** Options of {@link simulateFleet}. */
export interface FleetOptions {
  /** How many devices. */
  readonly count: number;
  /** The server's provisioning URL. */
  readonly url: string;
  /** `http` (default): the HTTP device API; `broker`: registration over HTTP, then the server's broker. */
  readonly transport?: 'http' | 'broker';
  /** The broker's device endpoint (`broker`); default: beside the hub URL. */
  readonly brokerUrl?: string;
  /** Default: the runtime's `fetch`. */
  readonly fetch?: FetchFunction;
  /** Default: the runtime's `WebSocket` (`broker`). */
  readonly socket?: SocketFactory;
  /** Who device `index` (0-based) is. */
  readonly registration: (index: number) => Registration;
  /** How many devices behave how, by weight (`{steady: 90, rebooting: 10}`). Default: all `steady`. */
  readonly behaviours?: Partial<Record<Behaviour, number>>;
  readonly script?: Partial<BehaviourScript>;
  readonly timing?: AgentTiming;
  /** The report every device sends. Default `{status: "online"}`. */
  readonly telemetry?: () => TelemetryReport;
  /** Starts are spread at random over this many ms. Default 0: all at once. */
  readonly startSpreadMs?: number;
  /** Default: a new {@link SharedTimers} on the system clock (one runtime timer for the whole fleet). */
  readonly clock?: Clock;
  /** Default `cryptoRandom`. */
  readonly random?: Random;
  /** Default `silentLogger`. */
  readonly logger?: Logger;
}

/** One simulated device. */
export interface SimulatedDevice {
  readonly index: number;
  readonly behaviour: Behaviour;
  /** The agent running now: a rebooting device gets a new one on the same store after each reboot. */
  readonly agent: Agent;
  readonly store: MemoryStore;
}

interface Device {
  readonly index: number;
  readonly behaviour: Behaviour;
  readonly store: MemoryStore;
  readonly transport: Transport;
  handlers: Handlers;
  agent: Agent;
}

/**
 * N agents in one process on shared timers, each with a scripted behaviour
 * ({@link Behaviour}): load for a server, and realistic trouble (slow
 * handlers, lost calls, reboots mid-command, failing installs, outages) for
 * conformance tests.
 */
export class Fleet {
  readonly clock: Clock;
  readonly counts: FleetCounts = emptyCounts();
  readonly #options: FleetOptions;
  readonly #script: BehaviourScript;
  readonly #random: Random;
  readonly #logger: Logger;
  readonly #devices: Device[] = [];
  readonly #listeners: Array<(device: SimulatedDevice, event: AgentEvent) => void> = [];
  readonly #waiters = new Set<() => void>();
  readonly #ownsClock: boolean;
  #stopped = false;

  constructor(options: FleetOptions) {
    if (!Number.isSafeInteger(options.count) || options.count < 0) {
      throw new AgentError(AgentErrorCode.InvalidOption, 'Cannot simulate a fleet: count must be an integer ≥ 0', {
        details: { path: 'count', expected: 'an integer ≥ 0', got: options.count },
      });
    }
    this.#options = options;
    this.#script = { ...DEFAULT_SCRIPT, ...options.script };
    this.#ownsClock = options.clock === undefined;
    this.clock = options.clock ?? new SharedTimers();
    this.#random = options.random ?? cryptoRandom;
    this.#logger = options.logger ?? silentLogger;
    const pick = behaviourPicker(options.behaviours, this.#random);
    const shared = this.#transport(undefined);
    const code = { clock: this.clock, script: this.#script };
    const steady = steadyHandlers();
    const slow = slowHandlers(code);
    const failing = failingHandlers();
    for (let index = 0; index < options.count; index++) {
      const behaviour = pick();
      const fault = this.#fault(behaviour);
      const store = new MemoryStore();
      // the agent needs the device, and a rebooting device's handlers need its agent: both are set below
      const device = {
        index,
        behaviour,
        store,
        transport: fault === undefined ? shared : this.#transport(fault),
        handlers: behaviour === 'slow' ? slow : behaviour === 'failing' ? failing : steady,
      } as Device;
      if (behaviour === 'rebooting') device.handlers = rebootingHandlers(() => this.#reboot(device));
      device.agent = this.#newAgent(device);
      this.#devices.push(device);
    }
  }

  /** The devices, in index order. */
  get devices(): readonly SimulatedDevice[] {
    return this.#devices;
  }

  /** Starts every agent (spread over `startSpreadMs`). */
  start(): this {
    const spread = this.#options.startSpreadMs ?? 0;
    for (const device of this.#devices) {
      if (spread === 0) device.agent.start();
      else {
        this.clock.setTimeout(() => {
          if (!this.#stopped) device.agent.start();
        }, this.#random.float() * spread);
      }
    }
    return this;
  }

  /** Stops every agent (as a power cut: nothing more is reported). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#devices.map((device) => device.agent.stop()));
    if (this.#ownsClock) (this.clock as SharedTimers).close();
  }

  /** Listens to every device's events; returns the remover. */
  onEvent(listener: (device: SimulatedDevice, event: AgentEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /** Resolves once `reached(counts)` holds (checked after every event). */
  until(reached: (counts: Readonly<FleetCounts>) => boolean): Promise<void> {
    if (reached(this.counts)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!reached(this.counts)) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  #newAgent(device: Device): Agent {
    const options = this.#options;
    const agent = new Agent({
      transport: device.transport,
      registration: options.registration(device.index),
      store: device.store,
      handlers: device.handlers,
      ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
      ...(options.timing === undefined ? {} : { timing: options.timing }),
      clock: this.clock,
      random: this.#random,
      logger: this.#logger,
    });
    agent.onEvent((event) => this.#count(device, event));
    return agent;
  }

  #count(device: Device, event: AgentEvent): void {
    countEvent(this.counts, event);
    // a device whose install takes effect after a restart restarts
    if (event.type === 'package' && event.reboot === true) this.#reboot(device);
    for (const listener of this.#listeners) listener(device, event);
    for (const check of [...this.#waiters]) check();
  }

  #transport(fault: NetworkFault | undefined): Transport {
    const options = this.#options;
    const base: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
    const fetchFunction = fault === undefined ? base : faultyFetch(base, fault);
    if (options.transport !== 'broker') return httpTransport({ url: options.url, fetch: fetchFunction });
    const socket = options.socket ?? ((url: string) => new WebSocket(url) as never);
    return brokerTransport({
      url: options.url,
      fetch: fetchFunction,
      socket: fault === undefined ? socket : faultySocket(socket, fault),
      ...(options.brokerUrl === undefined ? {} : { brokerUrl: options.brokerUrl }),
      ...(options.timing?.backoff === undefined ? {} : { backoff: options.timing.backoff }),
      clock: this.clock,
      random: this.#random,
      logger: this.#logger,
    });
  }

  /** The network trouble of a behaviour: calls lost at random (`flaky`), outages (`offline`). */
  #fault(behaviour: Behaviour): NetworkFault | undefined {
    const random = this.#random;
    if (behaviour === 'flaky') return { failing: () => random.float() < this.#script.flakyRate };
    if (behaviour !== 'offline') return undefined;
    const state = { offline: false };
    const flip = (): void => {
      if (this.#stopped) return;
      state.offline = !state.offline;
      this.clock.setTimeout(
        flip,
        drawInterval(state.offline ? this.#script.offlineFor : this.#script.onlineFor, random),
      );
    };
    this.clock.setTimeout(flip, drawInterval(this.#script.onlineFor, random));
    return { failing: () => state.offline };
  }

  #reboot(device: Device): void {
    this.counts.reboots++;
    const down = device.agent;
    void down.stop().then(() => {
      this.clock.setTimeout(() => {
        if (this.#stopped || device.agent !== down) return;
        device.agent = this.#newAgent(device);
        device.agent.start();
      }, this.#script.rebootMs);
    });
  }
}

/** Creates and starts a {@link Fleet}. */
export function simulateFleet(options: FleetOptions): Fleet {
  return new Fleet(options).start();
}
