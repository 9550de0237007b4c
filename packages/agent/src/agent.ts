import type { Clock, Logger, Random } from '@fleetkit/core';
import { AgentError, AgentErrorCode } from './errors.ts';
import type { AgentListener } from './events.ts';
import { FlowRunner } from './flow/runner.ts';
import type { Handlers } from './handlers.ts';
import type { PackageTransferOptions } from './packages.ts';
import type { AgentState, AgentStore } from './store.ts';
import type { AgentTiming } from './timing.ts';
import type { Transport } from './transport.ts';
import type { AuthData, Registration, TelemetryReport } from './types.ts';

/** Options of {@link Agent}. */
export interface AgentOptions {
  /** How the agent reaches the server: `httpTransport(...)` or `brokerTransport(...)`. */
  readonly transport: Transport;
  /** Who the device is when it registers. */
  readonly registration: Registration;
  /** Where the auth data and the started command persist. Default: a fresh `memoryStore()` (nothing survives the process). */
  readonly store?: AgentStore;
  /**
   * The device code: command handlers, configuration and licence appliers,
   * package installers. Default: none (commands fail).
   */
  readonly handlers?: Handlers;
  /** The report of each telemetry beat. Default `{status: "online"}`; a throw reports `{status: "error", message}`. */
  readonly telemetry?: () => TelemetryReport | Promise<TelemetryReport>;
  readonly timing?: AgentTiming;
  /** Range requests and verification failures of package transfers. */
  readonly packageTransfer?: PackageTransferOptions;
  /** Default `systemClock`. */
  readonly clock?: Clock;
  /** Default `cryptoRandom` (the jitter of every wait). */
  readonly random?: Random;
  /** Default `createLogger()`. */
  readonly logger?: Logger;
}

/**
 * The device agent of 000: initialisation from the stored auth data, the
 * registration loop, recovery of a command the device was carrying out when
 * it went down, the telemetry loop and the handling code for commands,
 * configuration, licences and packages. 401 and 403 clear the auth data and
 * send it back to registration; network errors, 5xx and 429 back off with
 * jitter.
 */
export class Agent {
  readonly #runner: FlowRunner;

  constructor(options: AgentOptions) {
    if (typeof options.transport?.register !== 'function' || typeof options.transport.open !== 'function') {
      throw new AgentError(AgentErrorCode.InvalidOption, 'Cannot create an agent without a transport', {
        details: { path: 'transport', expected: 'a Transport', got: options.transport },
      });
    }
    const registration = options.registration;
    if (typeof registration?.account !== 'string' || typeof registration.provisioningKey !== 'string') {
      throw new AgentError(
        AgentErrorCode.InvalidOption,
        'Cannot create an agent without registration.account and registration.provisioningKey',
        {
          details: { path: 'registration', expected: '{account, provisioningKey, …}', got: registration },
        },
      );
    }
    this.#runner = new FlowRunner(options);
  }

  /** True between {@link start} and the end of {@link stop}. */
  get running(): boolean {
    return this.#runner.running;
  }

  /** The auth data the agent holds now (undefined until it registers). */
  get auth(): AuthData | undefined {
    return this.#runner.state.auth;
  }

  /** The state saved last. */
  get state(): AgentState {
    return this.#runner.state;
  }

  /** Starts the flow in the background; the agent runs until {@link stop}. */
  start(): this {
    this.#runner.start();
    return this;
  }

  /**
   * Stops at once, as a power cut would: a call in flight is abandoned and a
   * handler running is not waited for (it gets the aborted signal); nothing
   * more is reported. Resolves when the flow has ended.
   */
  stop(): Promise<void> {
    return this.#runner.stop();
  }

  /** A significant event (000 Telemetry loop): send telemetry now instead of at the next beat. */
  reportNow(): void {
    this.#runner.reportNow();
  }

  /** Listens to what the agent does; returns the remover. */
  onEvent(listener: AgentListener): () => void {
    return this.#runner.onEvent(listener);
  }

  /** A device-originated JSON-RPC request (docs/server.md, Device-originated RPCs); its result, or `rpc-failed`. */
  rpc(method: string, params: unknown = {}): Promise<unknown> {
    return this.#runner.once('rpc', (session, signal) => session.rpc(method, params, signal));
  }

  /** A device-originated JSON-RPC notification. */
  notification(method: string, params: unknown = {}): Promise<void> {
    return this.#runner.once('rpc', (session, signal) => session.notify(method, params, signal));
  }
}

/** Creates and starts an {@link Agent}. */
export function startAgent(options: AgentOptions): Agent {
  return new Agent(options).start();
}
