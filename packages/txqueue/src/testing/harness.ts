// What the engine suite's tests share: a fresh store per test, an engine on
// it with a manual clock, its events, and closing both after the test.
import { ManualClock, memoryLogger, type SqlDriver, type SqlExecutor, type SqlValue } from '@fleetkit/core';
import type { ContractSuite } from '@fleetkit/core/testing';
import { afterEach } from 'vitest';
import { openTxQueue, type TxEvent, type TxQueue, type TxQueueOptions } from '../index.ts';

/** A store under test: a fresh, empty database per test, reopenable to simulate a restart. */
export interface StoreHandle {
  readonly driver: SqlDriver;
  /** A driver on the same data as a restarted process would open (may be `driver` itself). */
  reopen(): Promise<SqlDriver>;
  dispose(): Promise<void>;
}

/** An hour: a timeout no test reaches unless it means to. */
export const HOUR = 3_600_000;

/** What the default subscriber records of an event. */
export type RecordedEvent = Pick<TxEvent, 'type' | 'transactionId' | 'status' | 'final'> & { readonly on: string };

/** An `rpc` enqueue to a device. */
export const rpc = (device: string, payload: unknown = { n: 1 }, timeoutMs = HOUR) => ({
  target: { device },
  kind: 'rpc' as const,
  payload,
  timeoutMs,
});

/** An engine on a fresh store, with what a test drives and inspects it by. */
export interface Setup {
  readonly queue: TxQueue;
  readonly clock: ManualClock;
  readonly logger: ReturnType<typeof memoryLogger>;
  readonly events: RecordedEvent[];
  /** Waits for background work, then gives the events so far. */
  settle(): Promise<RecordedEvent[]>;
  /** Closes the engine and opens a new one on the same data. */
  restart(): Promise<TxQueue>;
}

/** What the engine suite's tests, and the additional tests of its options, work with. */
export interface Harness {
  /** Engines a test opened itself, closed after it. */
  readonly opened: TxQueue[];
  /** A fresh store's driver, disposed of after the test. */
  store(): Promise<SqlDriver>;
  /** An engine on a fresh store, groups resolved from `members`, `redeliverAfterMs` 60 s unless `options` says. */
  setup(options?: Partial<TxQueueOptions>, members?: Record<string, string[]>): Promise<Setup>;
}

/** How the engine suite's files register a test: the contract suite's `test`, so that its skips apply. */
export type SuiteTest = ContractSuite<Harness>['test'];

/**
 * The driver itself, telling `seen` the text of each statement it runs,
 * in its transactions too (a test counts the statements of one kind).
 */
export function observed(driver: SqlDriver, seen: (sql: string) => void): SqlDriver {
  const observe = <E extends SqlExecutor>(inner: E): E =>
    new Proxy(inner, {
      get(target, property) {
        if (property === 'query' || property === 'run') {
          return (sql: string, params?: readonly SqlValue[]) => {
            seen(sql);
            return target[property](sql, params);
          };
        }
        if (property === 'transaction') {
          return <T>(step: (sql: SqlExecutor) => Promise<T>) =>
            (target as unknown as SqlDriver).transaction((sql) => step(observe(sql)));
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return observe(driver);
}

/** Call inside a `describe`: registers the clean-up after each test. */
export function harness(store: () => Promise<StoreHandle>): Harness {
  const opened: TxQueue[] = [];
  let handle: StoreHandle | undefined;
  afterEach(async () => {
    for (const queue of opened.splice(0)) await queue.close();
    await handle?.dispose();
    handle = undefined;
  });

  const fresh = async (): Promise<StoreHandle> => {
    handle = await store();
    return handle;
  };

  async function setup(options: Partial<TxQueueOptions> = {}, members: Record<string, string[]> = {}): Promise<Setup> {
    const { driver } = await fresh();
    const clock = new ManualClock();
    const logger = memoryLogger();
    const groups = { members: (g: string) => members[g] ?? [] };
    const open = async (storage: SqlDriver): Promise<TxQueue> => {
      const queue = await openTxQueue({ storage, clock, logger, groups, redeliverAfterMs: 60_000, ...options });
      opened.push(queue);
      return queue;
    };
    const queue = await open(driver);
    const events: RecordedEvent[] = [];
    queue.subscribe((e) => {
      events.push({
        on: 'device' in e.target ? e.target.device : `group ${e.target.group}`,
        type: e.type,
        transactionId: e.transactionId,
        status: e.status,
        final: e.final,
      });
    });
    return {
      queue,
      clock,
      logger,
      events,
      settle: async () => {
        await queue.idle();
        return events;
      },
      restart: async () => {
        await queue.close();
        return open(await handle!.reopen());
      },
    };
  }

  return { opened, store: async () => (await fresh()).driver, setup };
}
