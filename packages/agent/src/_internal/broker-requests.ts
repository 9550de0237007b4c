import type { JsonObject } from '@fleetkit/broker';
import type { Clock, TimerHandle } from '@fleetkit/core';
import { AgentError, AgentErrorCode } from '../errors.ts';

/** The messages answering one request, as they arrive. */
class Answers {
  readonly messages: JsonObject[] = [];
  failure: unknown;
  wake: (() => void) | undefined;
}

/**
 * The package requests of one broker session (docs/server.md, Packages,
 * Transfer (plugin `broker`)): each carries an id that every message
 * answering it repeats; `package-data` messages come first, then one
 * closing message (the request's own type, or `package-error`).
 */
export class BrokerRequests {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #open = new Map<string, Answers>();
  #next = 0;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Files a message answering a request; false when no request of its id waits (dropped). */
  deliver(message: JsonObject): boolean {
    const answers = this.#open.get(String(message.id));
    if (answers === undefined) return false;
    answers.messages.push(message);
    answers.wake?.();
    return true;
  }

  /** Fails every request waiting: its answers will not come (a lost connection, a rate limit). */
  failAll(error: AgentError): void {
    for (const answers of this.#open.values()) {
      answers.failure ??= error;
      answers.wake?.();
    }
  }

  /**
   * Sends a request with a fresh id and yields the messages answering it,
   * through the closing one. Throws `unavailable` when it cannot be sent or
   * a message takes longer than the reply timeout, the signal's reason when
   * it aborts.
   */
  async *exchange(
    send: (message: JsonObject) => boolean,
    message: JsonObject,
    signal: AbortSignal,
  ): AsyncGenerator<JsonObject> {
    const id = `p${++this.#next}`;
    const answers = new Answers();
    this.#open.set(id, answers);
    try {
      if (!send({ ...message, id })) {
        throw new AgentError(AgentErrorCode.Unavailable, 'The broker connection is down');
      }
      for (;;) {
        const answer = answers.messages.shift() ?? (await this.#wait(answers, signal));
        yield answer;
        if (answer.type !== 'package-data') return;
      }
    } finally {
      this.#open.delete(id);
    }
  }

  async #wait(answers: Answers, signal: AbortSignal): Promise<JsonObject> {
    for (;;) {
      const next = answers.messages.shift();
      if (next !== undefined) return next;
      if (answers.failure !== undefined) throw answers.failure;
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        let timer: TimerHandle | undefined;
        const done = (): void => {
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          signal.removeEventListener('abort', done);
          answers.wake = undefined;
          resolve();
        };
        answers.wake = done;
        signal.addEventListener('abort', done, { once: true });
        timer = this.#clock.setTimeout(() => {
          answers.failure ??= new AgentError(AgentErrorCode.Unavailable, 'The broker did not answer in time');
          done();
        }, this.#timeoutMs);
      });
    }
  }
}
