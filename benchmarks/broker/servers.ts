import { type ChildProcess, fork } from 'node:child_process';
import type { Memory } from './child.ts';

/** A benchmark server in its own process. */
export interface ServerProcess {
  readonly port: number;
  /** The server's process, for its CPU time (cpu.ts). */
  readonly pid: number;
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

/** Forks `server-<kind>.ts` with `--expose-gc` and waits for its port. */
export function startServer(kind: 'ours' | 'bare' | 'aedes'): Promise<ServerProcess> {
  const child: ChildProcess = fork(new URL(`./server-${kind}.ts`, import.meta.url), [], {
    execArgv: ['--conditions=source', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m) => {
      const port = (m as { port: number }).port;
      resolve({
        port,
        pid: child.pid ?? 0,
        memory: () =>
          new Promise((res) => {
            const onMessage = (reply: unknown): void => {
              const memory = (reply as { memory?: Memory }).memory;
              if (memory === undefined) return;
              child.off('message', onMessage);
              res(memory);
            };
            child.on('message', onMessage);
            child.send('memory');
          }),
        async stop() {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}
