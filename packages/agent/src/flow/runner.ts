import { reconnectDelay } from '@fleetkit/broker';
import { type ChunkStorage, createMemoryStorage } from '@fleetkit/chunked';
import {
  type Clock,
  createLogger,
  cryptoRandom,
  type Logger,
  type Random,
  systemClock,
  type TimerHandle,
} from '@fleetkit/core';
import type { AgentOptions } from '../agent.ts';
import { AgentError, AgentErrorCode, isAuthLost, isTransient } from '../errors.ts';
import type { AgentEvent, AgentListener, FlowStep } from '../events.ts';
import { Handlers } from '../handlers.ts';
import { type AgentState, type AgentStore, EMPTY_STATE, memoryStore, withoutRegistration } from '../store.ts';
import { type ResolvedTiming, resolveTiming } from '../timing.ts';
import type { Session, Transport } from '../transport.ts';
import type { AuthData, Registration, TelemetryReport } from '../types.ts';
import { recover } from './commands.ts';
import { type Flow, messageOf } from './flow.ts';
import { type ResolvedTransfer, resolvePackageTransfer } from './package-options.ts';
import { registrationLoop } from './registration.ts';
import { telemetryLoop } from './telemetry.ts';

const ONLINE: TelemetryReport = { status: 'online' };
const NO_HANDLERS = new Handlers();
/**
 * The running flow of one {@link Agent} (its private part): what the steps
 * in this folder see as their {@link Flow}, and the loop that calls them.
 */
export class FlowRunner implements Flow {
  readonly transport: Transport;
  readonly registration: Registration;
  readonly handlers: Handlers;
  readonly timing: ResolvedTiming;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly packageTransfer: ResolvedTransfer;
  readonly #store: AgentStore;
  #chunks: ChunkStorage | undefined;
  readonly #telemetry: (() => TelemetryReport | Promise<TelemetryReport>) | undefined;
  #controller: AbortController | undefined;
  #running: Promise<void> | undefined;
  #state: AgentState = EMPTY_STATE;
  #session: Session | undefined;
  #listeners: AgentListener[] | undefined;
  #wake: (() => void) | undefined;
  #nudged = false;
  #loaded = false;
  /** A call of the current session succeeded (so its credentials worked at least once). */
  #sessionWorked = false;
  /** The credentials a registration just issued were refused before any call succeeded: wait before the next. */
  #refusedAtOnce = false;

  constructor(options: AgentOptions) {
    this.transport = options.transport;
    this.registration = options.registration;
    this.handlers = options.handlers ?? NO_HANDLERS;
    this.timing = resolveTiming(options.timing);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? cryptoRandom;
    this.logger = options.logger ?? createLogger();
    this.#store = options.store ?? memoryStore();
    this.#telemetry = options.telemetry;
    this.packageTransfer = resolvePackageTransfer(options.packageTransfer);
  }

  /** True between {@link start} and the end of {@link stop}. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** The auth data the agent holds now (undefined until it registers). */
  get auth(): AuthData | undefined {
    return this.#state.auth;
  }

  /** The state saved last. */
  get state(): AgentState {
    return this.#state;
  }

  /** Aborts when the agent stops; a never-started agent has an aborted signal. */
  get signal(): AbortSignal {
    return (
      this.#controller?.signal ??
      AbortSignal.abort(new AgentError(AgentErrorCode.NotRunning, 'The agent is not running'))
    );
  }

  /** Starts the flow in the background; the agent runs until {@link stop}. */
  start(): this {
    if (this.#running !== undefined) return this;
    this.#controller = new AbortController();
    this.#running = this.#run();
    return this;
  }

  /**
   * Stops at once, as a power cut would: a call in flight is abandoned and a
   * handler running is not waited for (it gets the aborted signal); nothing
   * more is reported. Resolves when the flow has ended.
   */
  async stop(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.#controller?.abort(new AgentError(AgentErrorCode.NotRunning, 'The agent stopped'));
    await running;
    this.#running = undefined;
  }

  /** A significant event (000 Telemetry loop): send telemetry now instead of at the next beat. */
  reportNow(): void {
    const wake = this.#wake;
    if (wake !== undefined) wake();
    else this.#nudged = true;
  }

  /** Listens to what the agent does; returns the remover. */
  onEvent(listener: AgentListener): () => void {
    this.#listeners ??= [];
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners?.filter((item) => item !== listener);
    };
  }

  // —— Flow: what the steps call ——

  async save(state: AgentState): Promise<void> {
    await this.#store.save(state);
    this.#state = state;
  }

  chunks(): ChunkStorage {
    this.#chunks ??= this.#store.chunks?.() ?? createMemoryStorage();
    return this.#chunks;
  }

  emit(event: AgentEvent): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error('agent event listener failed', { type: event.type, error: messageOf(error) });
      }
    }
  }

  async report(): Promise<TelemetryReport> {
    if (this.#telemetry === undefined) return ONLINE;
    try {
      return await this.#telemetry();
    } catch (error) {
      return { status: 'error', message: messageOf(error).slice(0, 1024) };
    }
  }

  async retry<T>(step: FlowStep, call: (session: Session, signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(step, call);
      } catch (error) {
        if (this.signal.aborted) throw this.signal.reason;
        if (!isTransient(error)) throw error;
        const retryAfter = typeof error.details?.retryAfterMs === 'number' ? error.details.retryAfterMs : 0;
        const delayMs = Math.max(reconnectDelay(attempt, this.random, this.timing.backoff), retryAfter);
        this.logger.info('backing off', { step, delayMs, error: error.code });
        this.emit({ type: 'backoff', step, delayMs, error });
        await this.pause(delayMs, false);
      }
    }
  }

  async once<T>(step: FlowStep, call: (session: Session, signal: AbortSignal) => Promise<T>): Promise<T> {
    const session = this.#session;
    if (session === undefined) throw new AgentError(AgentErrorCode.NotRunning, 'The agent is not registered yet');
    // a stop between two steps ends the flow here, whatever the transport does with an aborted signal
    if (this.signal.aborted) throw this.signal.reason;
    try {
      const result = await call(session, this.signal);
      this.#sessionWorked = true;
      return result;
    } catch (error) {
      if (isAuthLost(error) && !this.signal.aborted) {
        const status = typeof error.details?.status === 'number' ? error.details.status : undefined;
        this.emit({ type: 'auth-lost', step, status });
      }
      throw error;
    }
  }

  pause(ms: number, wakeable: boolean): Promise<void> {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const finish = (): void => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        // a wait over (by its timer too) wakes no more: a nudge in the next beat is kept for after it
        if (this.#wake === done) this.#wake = undefined;
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason);
      };
      const done = (): void => {
        finish();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      timer = this.clock.setTimeout(done, ms);
      if (wakeable) {
        if (this.#nudged) {
          this.#nudged = false;
          done();
        } else this.#wake = done;
      }
    });
  }

  takeNudge(): boolean {
    const nudged = this.#nudged;
    this.#nudged = false;
    return nudged;
  }

  // —— the flow ——

  async #run(): Promise<void> {
    const signal = this.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.#cycle();
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        // not a failure the flow knows (a store that cannot write, a bug in a transport): start over after a wait
        const delayMs = reconnectDelay(failures++, this.random, this.timing.backoff);
        this.logger.error('agent flow failed; starting over', { error: messageOf(error), delayMs });
        this.emit({ type: 'backoff', step: 'state', delayMs, error });
        await this.pause(delayMs, false).catch(() => undefined);
      }
    }
    this.#session?.close();
    this.#session = undefined;
    this.emit({ type: 'stopped' });
  }

  /** One registration's life: initialisation, registration if needed, recovery, the telemetry loop until 401/403. */
  async #cycle(): Promise<void> {
    await this.#initialise();
    const fresh = this.#state.auth === undefined;
    const auth = this.#state.auth ?? (await registrationLoop(this, this.#refusedAtOnce));
    const session = this.transport.open(auth, { onWork: () => this.reportNow() });
    this.#session = session;
    this.#sessionWorked = false;
    try {
      await recover(this);
      await telemetryLoop(this);
    } catch (error) {
      if (!isAuthLost(error) || this.signal.aborted) throw error;
      // 000: the device was deleted; forget the auth data and register again
      this.logger.warn('credentials refused; registering again', { id: auth.id });
      // credentials refused before they ever worked, right after the registration that issued them (a 403 for
      // a device of another protocol, say): registering again at once would only be refused again, in a loop
      this.#refusedAtOnce = fresh && !this.#sessionWorked;
      await this.save(withoutRegistration(this.#state));
    } finally {
      session.close();
      if (this.#session === session) this.#session = undefined;
    }
  }

  /** 000 Initialisation: the saved state, once per start; an unreadable one is set aside (the device registers again). */
  async #initialise(): Promise<void> {
    if (this.#loaded) return;
    try {
      this.#state = (await this.#store.load()) ?? EMPTY_STATE;
    } catch (error) {
      // a store that cannot be read now (I/O) is tried again; one whose contents are garbage is not
      if (!(error instanceof AgentError && error.code === AgentErrorCode.StateInvalid)) throw error;
      this.logger.warn('stored agent state unreadable; registering again', { error: error.toJSON() });
    }
    this.#loaded = true;
  }
}
