// Our own server as the system under test: the real `fleetkit-server` CLI in
// a child process, reached only over the network like any other server. The
// mutation runs pass `root` to start it from a mutated copy of the repository.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository this file is in. */
export const REPOSITORY = join(import.meta.dirname, '..', '..');

/** sysadm's password on every server these tests start. */
export const MASTER = { user: 'sysadm', password: 'conformance-sysadm-password' } as const;

/** A running server. */
export interface OurServer {
  /** Its base URL, ending in `/`. */
  readonly url: string;
  /** The last lines it wrote to stderr. */
  logs(): string;
  stop(): Promise<void>;
}

/** Options of {@link startOurServer}. */
export interface OurServerOptions {
  /** `postgres://…`: run on this database instead of a fresh SQLite directory. */
  readonly database?: string;
  /** The checkout to run (default this repository). */
  readonly root?: string;
  readonly args?: readonly string[];
}

/** Starts `fleetkit-server --port 0` and resolves once it printed its URL. */
export function startOurServer(options: OurServerOptions = {}): Promise<OurServer> {
  const root = options.root ?? REPOSITORY;
  const dataDir = options.database === undefined ? mkdtempSync(join(tmpdir(), 'fleetkit-conformance-')) : undefined;
  const args = [
    '--conditions=source',
    join(root, 'packages', 'server', 'src', 'adapters', 'cli.ts'),
    '--port',
    '0',
    '--log-level',
    'warn',
    ...(dataDir === undefined ? ['--database', options.database!] : ['--data-dir', dataDir]),
    ...(options.args ?? []),
  ];
  const child: ChildProcess = spawn(join(REPOSITORY, 'node_modules', '.bin', 'node'), args, {
    cwd: root,
    env: { ...process.env, FLEETKIT_ADMIN_PASSWORD: MASTER.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kept: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    kept.push(chunk);
    if (kept.length > 50) kept.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = (): void => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    const onData = (chunk: string): void => {
      out += chunk;
      const match = /fleetkit server on (\S+) /.exec(out);
      if (match === null) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        url: match[1]!,
        logs: () => kept.join(''),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
          cleanUp();
        },
      });
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    void exited.then(() => {
      cleanUp();
      reject(new Error(`fleetkit-server exited before it listened:\n${out}\n${kept.join('')}`));
    });
  });
}
