// The measured servers run in child processes, the load in this one (as in
// the broker suite), so a side's own CPU time is not shared with its load.
import { type ChildProcess, fork } from 'node:child_process';

/** A benchmark server in its own process. */
export interface ServerProcess {
  readonly url: string;
  /** Sends `message` over IPC and resolves with the child's answer to it. */
  ask<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** Where a side keeps its data: a SQLite file or a PostgreSQL database. */
export type Store = { readonly sqlite: string } | { readonly database: string };

/** Forks `server-<kind>.ts` on `store` and waits for the port it listens on. */
export function startProcess(
  kind: 'ours' | 'bare',
  store: Store,
  extra: readonly string[] = [],
): Promise<ServerProcess> {
  const args = 'sqlite' in store ? ['--sqlite', store.sqlite] : ['--database', store.database];
  // FLEETKIT_BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops
  const profile = process.env.FLEETKIT_BENCH_CPU_PROF;
  const child: ChildProcess = fork(new URL(`./server-${kind}.ts`, import.meta.url), [...args, ...extra], {
    execArgv: ['--conditions=source', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let asked = 0;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`server-${kind}.ts exited before it listened`)));
    child.once('message', (m) => {
      const port = (m as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        ask<T>(message: Record<string, unknown>) {
          const id = ++asked;
          return new Promise<T>((res, rej) => {
            const onMessage = (reply: unknown): void => {
              const r = reply as { id?: number; error?: string; value?: T };
              if (r.id !== id) return;
              child.off('message', onMessage);
              if (r.error !== undefined) rej(new Error(r.error));
              else res(r.value as T);
            };
            child.on('message', onMessage);
            child.send({ ...message, id });
          });
        },
        async stop() {
          // SIGTERM: the child exits at once (and writes its profile); SIGKILL if it does not
          child.kill('SIGTERM');
          const cut = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(cut);
        },
      });
    });
  });
}

/** In a child: answers the parent's IPC requests with `handle`, and announces `port`. */
export function serveParent(port: number, handle: (message: Record<string, unknown>) => Promise<unknown>): void {
  process.on('message', (message) => {
    const m = message as Record<string, unknown> & { id: number };
    handle(m).then(
      (value) => process.send?.({ id: m.id, value }),
      (error: unknown) => process.send?.({ id: m.id, error: error instanceof Error ? error.stack : String(error) }),
    );
  });
  process.once('SIGTERM', () => process.exit(0));
  process.send?.({ port });
}
