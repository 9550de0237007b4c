// Running the fleetkit-agent bin as a child process, as a user's shell would.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join, sep } from 'node:path';

export const packageDir = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
/** The bin's path, as package.json names it. */
export const bin = join(packageDir, manifest.bin['fleetkit-agent']!);

/** A terminal's PATH: no node_modules/.bin, so the launcher finds the machine's own Node, else the workspace's. */
const env = {
  ...process.env,
  PATH: [
    ...(process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes(`node_modules${sep}.bin`)),
    dirname(process.execPath),
  ].join(delimiter),
};

/** A running bin: the process, everything it printed so far, and its exit code once it exits. */
export interface Run {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

export function run(args: string[]): Run {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', reject);
  });
  return { child, output: () => output, exited };
}

/** Waits (polling, with a generous deadline) until `check` holds; the message says what was awaited. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen; output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
