import { type CallbackRow, chainKey } from './rows.ts';

/** URLs sent to at once; a URL waiting for a slot keeps its rows leased. */
const MAX_URLS = 16;
/** Requests in flight to one URL; each is another transaction's (a transaction's rows go one after another). */
const PER_URL = 4;

/** What became of a row: go on with its transaction's next row, or leave the rest of the chain. */
export type Step = 'next' | 'break' | 'stop';

/** A transaction's rows to one URL that this process holds, in event order. */
interface Chain {
  readonly key: string;
  readonly rows: CallbackRow[];
  /** A worker is sending its rows. */
  busy: boolean;
  /** Waiting in its lane's `ready` list. */
  queued: boolean;
}

/** The chains of one URL, and the workers sending them. */
interface Lane {
  readonly url: string;
  readonly chains: Map<string, Chain>;
  readonly ready: Chain[];
  workers: number;
  active: boolean;
}

/** What {@link Lanes} asks of the sender. */
export interface LaneWork {
  /** Sends one row; `break` when the rows after it must not go out now. */
  send(row: CallbackRow): Promise<Step>;
  /** The rows after a `break`, to hand back. */
  broken(rows: CallbackRow[]): void;
}

/**
 * The rows this process holds, by URL and transaction. URLs are independent:
 * each has its own workers (up to {@link PER_URL} chains at once), so a slow
 * or dead backend never delays another. A chain's rows go out one after
 * another, the next as soon as the one before it is delivered, without a
 * commit in between: that keeps a transaction's callbacks in order and sends
 * a group's member callbacks back to back.
 */
export class Lanes {
  readonly #work: LaneWork;
  readonly #lanes = new Map<string, Lane>();
  readonly #waiting: Lane[] = [];
  readonly #running = new Set<Promise<void>>();
  #activeLanes = 0;
  #stopped = false;

  constructor(work: LaneWork) {
    this.#work = work;
  }

  /** Adds a row behind the rows of its transaction and URL already held. */
  add(row: CallbackRow): void {
    let lane = this.#lanes.get(row.url);
    if (lane === undefined) {
      lane = { url: row.url, chains: new Map(), ready: [], workers: 0, active: false };
      this.#lanes.set(row.url, lane);
      this.#waiting.push(lane);
    }
    const key = chainKey(row);
    let chain = lane.chains.get(key);
    if (chain === undefined) {
      chain = { key, rows: [], busy: false, queued: false };
      lane.chains.set(key, chain);
    }
    let at = chain.rows.length;
    while (at > 0 && chain.rows[at - 1]!.seq > row.seq) at--;
    chain.rows.splice(at, 0, row);
    if (!chain.busy && !chain.queued) {
      chain.queued = true;
      lane.ready.push(chain);
    }
    if (lane.active) this.#addWorkers(lane);
    else this.#startLanes();
  }

  /** Workers end after the row they are sending; the rows left stay held. */
  async stop(): Promise<void> {
    this.#stopped = true;
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #startLanes(): void {
    while (this.#activeLanes < MAX_URLS && this.#waiting.length > 0) {
      const lane = this.#waiting.shift()!;
      lane.active = true;
      this.#activeLanes++;
      this.#addWorkers(lane);
    }
  }

  #addWorkers(lane: Lane): void {
    const more = Math.min(PER_URL - lane.workers, lane.ready.length);
    for (let i = 0; i < more; i++) {
      lane.workers++;
      const running = this.#worker(lane).finally(() => this.#running.delete(running));
      this.#running.add(running);
    }
  }

  async #worker(lane: Lane): Promise<void> {
    try {
      for (let chain = lane.ready.shift(); chain !== undefined && !this.#stopped; chain = lane.ready.shift()) {
        chain.queued = false;
        chain.busy = true;
        await this.#sendChain(chain);
        chain.busy = false;
        if (chain.rows.length === 0) lane.chains.delete(chain.key);
        else if (!this.#stopped) {
          chain.queued = true;
          lane.ready.push(chain);
        }
      }
    } finally {
      lane.workers--;
      if (lane.workers === 0 && (lane.ready.length === 0 || this.#stopped)) {
        this.#lanes.delete(lane.url);
        this.#activeLanes--;
        this.#startLanes();
      }
    }
  }

  async #sendChain(chain: Chain): Promise<void> {
    for (let row = chain.rows.shift(); row !== undefined; row = chain.rows.shift()) {
      const step = await this.#work.send(row);
      if (step === 'stop') return;
      if (step === 'break') {
        this.#work.broken(chain.rows.splice(0));
        return;
      }
      if (this.#stopped) return;
    }
  }
}
