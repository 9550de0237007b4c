import type { JsonObject } from '@fleetkit/broker';
import type { Clock, TimerHandle } from '@fleetkit/core';
import { AgentError, AgentErrorCode } from '../errors.ts';

interface Waiter {
  readonly resolve: (message: JsonObject) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: TimerHandle;
}

/**
 * The answers a broker session waits for (`ack-result`, `rpc-reply`), filed
 * by key; each gives up after the reply timeout.
 */
export class BrokerWaiters {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #waiters = new Map<string, Waiter>();

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** The answer to be filed under `key`; an earlier wait for the same key is superseded. */
  wait(key: string): Promise<JsonObject> {
    this.fail(key, new AgentError(AgentErrorCode.Unavailable, 'Superseded by a newer request'));
    return new Promise<JsonObject>((resolve, reject) => {
      const timer = this.#clock.setTimeout(
        () => this.fail(key, new AgentError(AgentErrorCode.Unavailable, 'The broker did not answer in time')),
        this.#timeoutMs,
      );
      this.#waiters.set(key, { resolve, reject, timer });
    });
  }

  settle(key: string, message: JsonObject): void {
    const waiter = this.#waiters.get(key);
    if (waiter === undefined) return;
    this.#waiters.delete(key);
    this.#clock.clearTimeout(waiter.timer);
    waiter.resolve(message);
  }

  fail(key: string, error: unknown): void {
    const waiter = this.#waiters.get(key);
    if (waiter === undefined) return;
    this.#waiters.delete(key);
    this.#clock.clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  /** Fails every wait, each with an error of its own. */
  failAll(error: () => unknown): void {
    for (const key of [...this.#waiters.keys()]) this.fail(key, error());
  }
}
