import type { TimerHandle } from '@fleetkit/core';
import type { Hub } from './hub.ts';

/**
 * 002 "Best Practices" 2: the broker pings; a peer that showed no sign of
 * life (frame or pong) during a whole interval is dropped as dead.
 */
export class Heartbeat {
  readonly #hub: Hub;
  #timer: TimerHandle | undefined;

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  /** Schedules the first round (nothing when `heartbeatMs` is 0). */
  start(): void {
    if (this.#hub.options.heartbeatMs > 0) this.#schedule();
  }

  /** Cancels the next round. */
  stop(): void {
    if (this.#timer !== undefined) this.#hub.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#hub.options.clock.setTimeout(() => {
      this.sweep();
      this.#schedule();
    }, this.#hub.options.heartbeatMs);
  }

  /** One round: drop the silent, ping the rest. */
  sweep(): void {
    const hub = this.#hub;
    for (const peer of [...hub.peers]) {
      peer.sweep();
      if (!peer.open) continue;
      const ping = peer.conn.ping;
      if (ping === undefined) continue;
      if (!peer.alive) {
        hub.stats.deadPeers++;
        peer.open = false;
        peer.conn.terminate();
        peer.detach();
        continue;
      }
      peer.alive = false;
      ping.call(peer.conn);
    }
  }
}
