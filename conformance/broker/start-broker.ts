import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'packages', 'broker', 'src', 'adapters', 'cli.ts');

/** The runtimes the broker CLI runs on, as child-process commands (docs/sources.md, Runtimes). */
export const RUNTIMES = {
  node: [join(root, 'node_modules', '.bin', 'node'), '--conditions=source', cli],
  bun: [join(root, 'node_modules', '.bin', 'bun'), '--conditions=source', cli],
  deno: [join(root, 'node_modules', '.bin', 'deno'), 'run', '-A', '--conditions=source', cli],
} as const;
export type Runtime = keyof typeof RUNTIMES;

/** A `fleetkit-broker` child process. */
export interface RunningBroker {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `fleetkit-broker --port 0` under `runtime` and waits for its "listening on" line. */
export function startBroker(runtime: Runtime, args: readonly string[]): Promise<RunningBroker> {
  const [command, ...pre] = RUNTIMES[runtime];
  const child = spawn(command, [...pre, '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${runtime} broker did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(output);
      if (m === null) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        child,
        exited,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} broker exited with ${code} before listening:\n${output}`));
    });
  });
}
