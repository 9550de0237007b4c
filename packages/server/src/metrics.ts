import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Sources the scrape reads at the moment it happens (queue depth, callback backlog). */
export interface MetricSources {
  /** Open transactions by state, and finished ones by final status. */
  transactions?(): Promise<Readonly<Record<string, number>>>;
  /** Callback outbox: rows waiting, rows that failed at least once, rows given up. */
  callbacks?(): Promise<{
    readonly pending: number;
    readonly failing: number;
    readonly dead: number;
    readonly oldestPendingMs?: number | undefined;
  }>;
}

/**
 * The server's Prometheus metrics, on a registry of its own (several servers
 * may share a process in tests). Request latency is observed per route and
 * status class; gauges are read from their sources at scrape time so they
 * are never stale.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Histogram<'route' | 'method' | 'status'>;
  readonly rpcCalls: Counter<'method' | 'outcome'>;
  readonly loginFailures: Counter;
  readonly #sources: MetricSources = {};

  constructor() {
    const registers = [this.registry];
    this.requests = new Histogram({
      name: 'fleetkit_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status class',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.rpcCalls = new Counter({
      name: 'fleetkit_rpc_calls_total',
      help: 'JSON-RPC calls of the backend API by method and outcome',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.loginFailures = new Counter({
      name: 'fleetkit_login_failures_total',
      help: 'Basic-auth logins refused',
      registers,
    });
    const sources = this.#sources;
    new Gauge({
      name: 'fleetkit_transactions',
      help: 'Transactions by state (open ones: queue depth)',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const [state, count] of Object.entries((await sources.transactions?.()) ?? {})) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'fleetkit_callbacks',
      help: 'Callback notifications by delivery state (pending = backlog)',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const stats = await sources.callbacks?.();
        if (stats === undefined) return;
        this.set({ state: 'pending' }, stats.pending);
        this.set({ state: 'failing' }, stats.failing);
        this.set({ state: 'dead' }, stats.dead);
      },
    });
    new Gauge({
      name: 'fleetkit_callback_oldest_pending_seconds',
      help: 'Age of the oldest callback not yet delivered (0 when none is waiting)',
      registers,
      async collect() {
        const stats = await sources.callbacks?.();
        this.set((stats?.oldestPendingMs ?? 0) / 1000);
      },
    });
  }

  /** Plugs in a source read at scrape time. */
  source(sources: MetricSources): void {
    Object.assign(this.#sources, sources);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ readonly body: string; readonly contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
