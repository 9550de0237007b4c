// Waiting for what an agent does, in tests that move a ManualClock by hand.
import type { Agent, AgentEvent } from '../src/index.ts';

type Of<T extends AgentEvent['type']> = Extract<AgentEvent, { type: T }>;

/** Every event of an agent, and a way to wait for the next one of a kind. */
export class Recorder {
  readonly events: AgentEvent[] = [];
  #seen = 0;
  #waiters: Array<() => void> = [];

  constructor(agent: Agent) {
    agent.onEvent((event) => {
      this.events.push(event);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** The events of one kind seen so far. */
  all<T extends AgentEvent['type']>(type: T): Of<T>[] {
    return this.events.filter((event): event is Of<T> => event.type === type);
  }

  /**
   * The next event of this kind (after the last one `next` returned) that
   * matches. Fails after 30 s of real time without one, so a test
   * whose agent went the wrong way fails instead of hanging.
   */
  async next<T extends AgentEvent['type']>(type: T, matches: (event: Of<T>) => boolean = () => true): Promise<Of<T>> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      for (let index = this.#seen; index < this.events.length; index++) {
        const event = this.events[index]!;
        if (event.type === type && matches(event as Of<T>)) {
          this.#seen = index + 1;
          return event as Of<T>;
        }
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no ${type} event; saw ${this.events
            .slice(this.#seen)
            .map((e) => e.type)
            .join(', ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
