import type { JsonObject } from '@fleetkit/broker';
import type { Command, ConfigDocument, Pending } from '../types.ts';
import { isObject } from './replies.ts';

/** A transaction as the server's broker plugin sends it (docs/server.md, broker messages). */
export interface BrokerWork {
  readonly transactionId: number;
  readonly attempt: number;
  readonly action: 'execute' | 'cancel';
  readonly kind: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** How many finished transactions an inbox remembers, to drop a copy the server sent before it saw the ack. */
const REMEMBERED = 32;

/** A `transaction` message as work, or undefined when it is not one. */
export function workOf(message: JsonObject): BrokerWork | undefined {
  const { transactionId, attempt, action, kind, name, params } = message;
  if (
    typeof transactionId !== 'number' ||
    typeof attempt !== 'number' ||
    (action !== 'execute' && action !== 'cancel') ||
    typeof kind !== 'string' ||
    typeof name !== 'string'
  ) {
    return undefined;
  }
  return { transactionId, attempt, action, kind, name, params: isObject(params) ? params : {} };
}

/** The command id of a delivery, as fleetkit's HTTP API spells it. */
export function deliveryId(work: Pick<BrokerWork, 'transactionId' | 'attempt'>): string {
  return `${work.transactionId}.${work.attempt}`;
}

/** A command id split back into transaction and attempt; undefined when it is not one. */
export function parseDeliveryId(id: string): { readonly transactionId: number; readonly attempt: number } | undefined {
  const match = /^(\d{1,15})\.(\d{1,9})$/.exec(id);
  return match === null ? undefined : { transactionId: Number(match[1]), attempt: Number(match[2]) };
}

const isConfigWork = (work: BrokerWork): boolean => work.kind === 'config' && work.action === 'execute';

/**
 * The transactions a broker connection received and the device has not
 * finished, in queue order: the device works on the oldest, one at a time,
 * as over HTTP (docs/decisions/server-device-api.md).
 */
export class BrokerInbox {
  readonly #works = new Map<number, BrokerWork>();
  readonly #finished = new Map<number, number>();

  /** Takes a delivered transaction; false for one already finished or older than the one held. */
  add(work: BrokerWork): boolean {
    const finished = this.#finished.get(work.transactionId);
    if (finished !== undefined && work.attempt <= finished) return false;
    const held = this.#works.get(work.transactionId);
    if (held !== undefined && held.attempt > work.attempt) return false;
    this.#works.set(work.transactionId, work);
    return true;
  }

  /** Forgets a transaction the server took a final ack of (or refused one for). */
  finish(transactionId: number, attempt: number): void {
    this.#works.delete(transactionId);
    this.#finished.set(transactionId, attempt);
    if (this.#finished.size > REMEMBERED) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  /** The oldest transaction held. */
  head(): BrokerWork | undefined {
    let head: BrokerWork | undefined;
    for (const work of this.#works.values())
      if (head === undefined || work.transactionId < head.transactionId) head = work;
    return head;
  }

  /** What the head means as a telemetry answer: a command, or a configuration version; licences never come this way. */
  pending(): Pending {
    const head = this.head();
    if (head === undefined) return { command: false, configVersion: 0, licenses: false };
    return isConfigWork(head)
      ? { command: false, configVersion: head.transactionId, licenses: false }
      : { command: true, configVersion: 0, licenses: false };
  }

  /** The head as a command, when it is one. */
  command(): Command | undefined {
    const head = this.head();
    if (head === undefined || isConfigWork(head)) return undefined;
    return {
      id: deliveryId(head),
      name: head.name,
      parameters: head.params,
      status: 'pending',
      cancel: head.action === 'cancel',
    };
  }

  /** The head as a configuration, when it is one; else "nothing newer". */
  config(): ConfigDocument {
    const head = this.head();
    if (head === undefined || !isConfigWork(head)) return { version: 0, config: { version: 0, updates: [] } };
    return {
      id: deliveryId(head),
      version: head.transactionId,
      config: { version: head.transactionId, ...head.params },
    };
  }
}
