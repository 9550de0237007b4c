// Both benchmark servers run in a child process (as in docs/sources.md, Performance baselines) and answer the parent over IPC.

/** Heap and off-heap bytes after a full GC. */
export interface Memory {
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
  readonly connections: number;
}

function measure(connections: number): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new TypeError('run the benchmark server with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss, connections };
}

/** Announces `port` to the parent and answers `memory` requests. */
export function serveChild(port: number, connections: () => number): void {
  process.on('message', (request) => {
    if (request === 'memory') process.send?.({ memory: measure(connections()) });
  });
  process.send?.({ port });
}
