import type { Connection, Session } from '../connection.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { OutFrame } from '../protocol/frame.ts';
import { errorFrame } from '../protocol/messages.ts';
import type { WireError } from '../protocol/wire-errors.ts';
import type { Hub } from './hub.ts';

/**
 * What device and control sessions share: the back-pressure rule on every
 * send, liveness for the heartbeat, and the close bookkeeping.
 */
export abstract class Peer implements Session {
  readonly hub: Hub;
  readonly conn: Connection;
  /** False once closing started; nothing is sent after that. */
  open = true;
  /** Set by any frame or pong; cleared by each heartbeat sweep. */
  alive = true;
  /** Frames skipped under the `drop` policy since the last report. */
  dropped = 0;

  constructor(hub: Hub, conn: Connection) {
    this.hub = hub;
    this.conn = conn;
  }

  /** Sends unless closing; applies the slow-consumer policy first (docs/broker.md §Back-pressure). */
  deliver(frame: OutFrame): void {
    if (!this.open) return;
    const hub = this.hub;
    if (this.conn.bufferedAmount() > hub.options.maxBufferedBytes) {
      if (hub.options.slowConsumer === 'drop') {
        this.dropped++;
        hub.stats.dropped++;
        return;
      }
      hub.stats.slowDisconnects++;
      this.shut(CloseCode.TryAgainLater, 'Slow consumer: send buffer over the limit');
      return;
    }
    if (this.dropped > 0) {
      const count = this.dropped;
      this.dropped = 0;
      this.conn.send(OutFrame.json({ type: 'dropped', count, timestamp: hub.timestamp() }));
    }
    this.conn.send(frame);
  }

  /** Sends an `error` frame. */
  fail(error: WireError, detail?: string, requestId?: string): void {
    this.deliver(OutFrame.json(errorFrame(error, this.hub.timestamp(), detail, requestId)));
  }

  /** Closes from the broker's side; the adapter's later `closed` call is then a no-op beyond cleanup. */
  shut(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.conn.close(code, reason);
    this.detach();
  }

  message(text: string): void {
    this.alive = true;
    if (!this.open) return;
    try {
      this.handle(text);
    } catch (cause) {
      this.crashed(cause);
    }
  }

  /** A handler threw: a bug of ours, so log it and close with 1011 (002 "Server error"). */
  protected crashed(cause: unknown): void {
    this.hub.logger.error('broker handler failed', { cause });
    this.shut(CloseCode.ServerError, 'Server error');
  }

  pong(): void {
    this.alive = true;
  }

  closed(_code: number): void {
    this.open = false;
    this.detach();
  }

  /** Called by each heartbeat round; a device that never registered is let go here. */
  sweep(): void {}

  /** Handles one text frame of this endpoint. */
  protected abstract handle(text: string): void;
  /** Removes the session from the hub; idempotent. */
  abstract detach(): void;
}
