import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, sep } from 'node:path';

/**
 * A terminal's environment for running a bin as a user would: PATH without
 * any node_modules/.bin, so `#!/usr/bin/env node` finds the machine's own
 * Node (which may be too old to strip types), or, on a machine without one,
 * the Node running the tests.
 */
export function terminalEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = (env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes(`node_modules${sep}.bin`));
  return { ...env, PATH: [...path, dirname(process.execPath)].join(delimiter) };
}

/** A package's bin: the file its package.json names, and the one package-lock.json links (`npm ci` links that). */
export interface PackageBin {
  readonly path: string;
  /** Undefined when the lockfile does not name the bin. */
  readonly locked: string | undefined;
}

/** Where `packageDir`'s package.json and the workspace's package-lock.json put the bin `name`. */
export function packageBin(packageDir: string, name: string): PackageBin {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
  };
  const path = join(packageDir, manifest.bin?.[name] ?? '');
  let root = packageDir;
  while (!existsSync(join(root, 'package-lock.json')) && dirname(root) !== root) root = dirname(root);
  const lockfile = join(root, 'package-lock.json');
  if (!existsSync(lockfile)) return { path, locked: undefined };
  const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as {
    packages: Record<string, { bin?: Record<string, string> }>;
  };
  const locked = lock.packages[relative(root, packageDir).split(sep).join('/')]?.bin?.[name];
  return { path, locked: locked === undefined ? undefined : join(packageDir, locked) };
}

/** A command started by {@link startCommand}. */
export interface StartedCommand {
  readonly child: ChildProcess;
  /** Its stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Its exit: the code, or the signal that ended it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** The first match of `pattern` in its output; rejects, with the output, if it exits before printing one. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Starts `file` with `args` (in a terminal's environment unless `env` is given), collecting what it prints. */
export function startCommand(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = terminalEnv(),
): StartedCommand {
  const child = spawn(file, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    // 'close', not 'exit': by then every byte it printed has been collected
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', reject);
  });
  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match === null) return;
        waiters.delete(check);
        resolve(match);
      };
      waiters.add(check);
      check();
      void exited.then(({ code, signal }) => {
        if (!waiters.delete(check)) return;
        reject(new Error(`${file} exited (${signal ?? code}) before printing ${pattern}; its output:\n${output}`));
      }, reject);
    });
  return { child, output: () => output, exited, waitFor };
}
