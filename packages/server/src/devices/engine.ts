import type { TimerHandle } from '@fleetkit/core';
import type { AckOutcome, AckRejection, AckStatus, Transaction } from '@fleetkit/txqueue';
import { queueName, type ServerContext } from '../context.ts';
import { readReport, recordConfigVersion } from '../store/device-keys.ts';
import { type Device, recordLastSeen, refreshLastSeen, type Sighting } from '../store/devices.ts';
import { hasPendingLicenses } from '../store/licenses.ts';
import { type Work, workOf } from './work.ts';

/** Most held-back sightings; one more writes them all at once, so the memory stays bounded. */
const MAX_SIGHTINGS = 1000;

/** What a device reports about a transaction; without `attempt`, the transaction's current one. */
export interface DeviceAck {
  readonly transactionId: number;
  readonly attempt?: number | undefined;
  readonly status: AckStatus;
  readonly progress?: unknown;
  readonly result?: unknown;
}

/** What a device's call-in reports as waiting for it (the Xyte telemetry answer). */
export interface PendingSummary {
  /** A command (an RPC or package transaction) is next in the device's queue. */
  readonly command: boolean;
  /** The configuration version the device should hold: the next configuration transaction's id, else the last acknowledged. */
  readonly configVersion: number;
  /** Licences wait to be added, updated or removed. */
  readonly licenses: boolean;
}

/** The HTTP status and wire code of each ack refusal (the same table serves every plugin). */
export const REJECTION_STATUS: Readonly<Record<AckRejection, number>> = {
  'unknown-transaction': 404,
  'not-delivered': 409,
  'stale-attempt': 409,
  'already-final': 409,
  'not-cancelling': 409,
  'timed-out': 410,
  cancelled: 410,
};

/** The queue name of a device (context.ts). */
export function queueOf(device: Pick<Device, 'account' | 'deviceId'>): string {
  return queueName(device.account, device.deviceId);
}

/** Whether a transaction is out with the device: delivered, in progress or being cancelled. */
function isOut(transaction: Transaction): boolean {
  return (
    transaction.attempt > 0 &&
    (transaction.state === 'delivered' || transaction.state === 'in-progress' || transaction.state === 'cancelling')
  );
}

/**
 * What every device plugin does with the transaction queue (manual §5.7,
 * §7.2 Fig. 9 steps 11–16): hand a device its work one transaction at a
 * time, take its acks under the delivery attempt, tell it what waits, and
 * record that it was seen. Calls for one device run one after another in
 * this process, so two concurrent call-ins cannot each take a transaction.
 */
export class DeviceEngine {
  readonly #server: ServerContext;
  readonly #lastSeenWriteMs: number;
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Devices seen again whose `last_seen` the next flush moves forward, by queue name. */
  readonly #sightings = new Map<string, Sighting>();
  #flushTimer: TimerHandle | undefined;
  #flushed: Promise<void> = Promise.resolve();

  /** `lastSeenWriteMs`: how long a device's `last_seen` stands before a call writes it again (0: every call). */
  constructor(server: ServerContext, options: { readonly lastSeenWriteMs: number }) {
    this.#server = server;
    this.#lastSeenWriteMs = options.lastSeenWriteMs;
  }

  /** Runs `work` after every earlier call of this engine for the same device has settled. */
  serially<T>(queue: string, work: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(queue) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(queue, settled);
    void settled.then(() => {
      if (this.#locks.get(queue) === settled) this.#locks.delete(queue);
    });
    return run;
  }

  /** The oldest open transaction of a device: the one it works on, or gets next. */
  async head(queue: string): Promise<Transaction | undefined> {
    const [first] = await this.#server.queue.list({ device: queue }, { open: true, limit: 1 });
    return first;
  }

  /** One of the device's transactions, open or not. */
  transaction(queue: string, id: number): Promise<Transaction | undefined> {
    return this.#server.queue.get({ device: queue }, id);
  }

  /**
   * The device's current transaction when `serves` accepts it: one at a time,
   * in queue order. A transaction already out with the device comes back as
   * it is, under its current attempt (after a reboot the device finds its
   * in-progress command at once); a queued one is delivered now (call-in).
   */
  current(queue: string, serves: (head: Transaction) => boolean): Promise<Work | undefined> {
    return this.serially(queue, async () => {
      // a head that times out during call-in is never handed out: look again, a bounded number of times
      for (let round = 0; round < 3; round++) {
        const head = await this.head(queue);
        if (head === undefined || !serves(head)) return undefined;
        if (isOut(head)) return workOf(this.#server, queue, head);
        const [delivery] = await this.#server.queue.callIn(queue, { limit: 1 });
        // on PostgreSQL another process may deliver the head between the two reads, and the call-in then
        // takes the next transaction: that one waits its turn, the device gets the head (next round)
        if (delivery !== undefined && delivery.transactionId === head.id) {
          return workOf(this.#server, queue, delivery);
        }
      }
      return undefined;
    });
  }

  /** Every transaction not out with the device yet, up to `limit`, waiting up to `waitMs` for one (exoport, broker). */
  take(
    queue: string,
    options: { readonly limit: number; readonly waitMs?: number; readonly signal?: AbortSignal },
  ): Promise<Work[]> {
    return this.serially(queue, async () => {
      const deliveries = await this.#server.queue.callIn(queue, {
        limit: options.limit,
        ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const works: Work[] = [];
      for (const delivery of deliveries) works.push(await workOf(this.#server, queue, delivery));
      return works;
    });
  }

  /** Every transaction out with the device, under its current attempt (a reconnected device gets them again). */
  async outstanding(queue: string): Promise<Work[]> {
    const works: Work[] = [];
    let after = 0;
    for (;;) {
      const open = await this.#server.queue.list({ device: queue }, { open: true, after, limit: 100 });
      for (const transaction of open)
        if (isOut(transaction)) works.push(await workOf(this.#server, queue, transaction));
      if (open.length < 100) return works;
      after = open[open.length - 1]!.id;
    }
  }

  /**
   * Applies a device's ack. Without an attempt (protocols that carry none:
   * exoport), the transaction's current attempt is used. A configuration
   * transaction acknowledged complete becomes the device's configuration version.
   */
  async ack(device: Device, ack: DeviceAck): Promise<AckOutcome> {
    const queue = queueOf(device);
    let attempt = ack.attempt;
    if (attempt === undefined) {
      const transaction = await this.transaction(queue, ack.transactionId);
      if (transaction === undefined) return { outcome: 'rejected', reason: 'unknown-transaction' };
      attempt = transaction.attempt;
    }
    const outcome = await this.#server.queue.ack(queue, {
      transactionId: ack.transactionId,
      attempt,
      status: ack.status,
      ...(ack.progress === undefined ? {} : { progress: ack.progress }),
      ...(ack.result === undefined ? {} : { result: ack.result }),
    });
    if (
      outcome.outcome !== 'rejected' &&
      outcome.transaction.kind === 'config' &&
      outcome.transaction.state === 'complete'
    ) {
      await recordConfigVersion(this.#server.db, device.account, device, outcome.transaction.id);
    }
    return outcome;
  }

  /** What waits for the device: a command, a newer configuration, licences. */
  async summary(device: Device): Promise<PendingSummary> {
    const head = await this.head(queueOf(device));
    const report = await readReport(this.#server.db, device.account, device);
    return {
      command: head !== undefined && head.kind !== 'config',
      configVersion: head?.kind === 'config' ? head.id : report.configVersion,
      licenses: await hasPendingLicenses(this.#server.db, device.account, device.deviceId),
    };
  }

  /**
   * Records that the device called in now (the `is-connected` pseudo-attribute
   * reads it, nothing else does). A `last_seen` written less than
   * `lastSeenWriteMs` ago stands (the check reads the row the call
   * authenticated with: no memory of its own, and it holds across processes).
   * A device without `last_seen` (first call, or after a recorded disconnect)
   * is written at once; an older one is moved forward by the next flush, one
   * transaction for every device seen meanwhile. So `is-connected` is accurate
   * to twice the interval, and a device call rarely commits for it.
   */
  async seen(device: Device): Promise<void> {
    const now = this.#server.clock.now();
    const since = device.lastSeen === undefined ? undefined : now - device.lastSeen;
    if (since !== undefined && since >= 0 && since < this.#lastSeenWriteMs) return;
    // seen before (and not ahead of this clock): the next flush moves it forward
    if (since !== undefined && since >= 0 && this.#lastSeenWriteMs > 0) {
      this.#sightings.set(queueOf(device), { account: device.account, deviceId: device.deviceId, at: now });
      if (this.#sightings.size >= MAX_SIGHTINGS) void this.flush();
      else if (this.#flushTimer === undefined) {
        this.#flushTimer = this.#server.clock.setTimeout(() => void this.flush(), this.#lastSeenWriteMs);
      }
      return;
    }
    await recordLastSeen(this.#server.db, device.account, { deviceId: device.deviceId, at: now });
  }

  /**
   * Writes the held-back sightings in one transaction; resolves once they
   * and every earlier flush are written. A failed flush loses only their
   * precision (the next call of each device sights it again): logged.
   */
  flush(): Promise<void> {
    if (this.#flushTimer !== undefined) this.#server.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#sightings.size === 0) return this.#flushed;
    const sightings = [...this.#sightings.values()];
    this.#sightings.clear();
    this.#flushed = this.#flushed.then(() =>
      refreshLastSeen(this.#server.db, sightings).catch((error: unknown) => {
        this.#server.logger.warn('could not record when devices were last seen', {
          devices: sightings.length,
          error: error instanceof Error ? error.message : String(error),
        });
      }),
    );
    return this.#flushed;
  }
}
