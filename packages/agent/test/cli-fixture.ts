// Running the fleetkit-agent bin as a child process, as a user's shell would (core's bin helpers).
import { join } from 'node:path';
import { packageBin, type StartedCommand, startCommand } from '@fleetkit/core/testing';

const packageDir = join(import.meta.dirname, '..');

/** The bin as package.json names it, and as the lockfile links it. */
export const bin = packageBin(packageDir, 'fleetkit-agent');

/** Starts the bin with `args` in a terminal's environment (no node_modules/.bin on PATH). */
export function run(args: readonly string[]): StartedCommand {
  return startCommand(bin.path, args);
}

/**
 * Starts the CLI's source in this Node, as the bin runs it in a checkout but
 * without the launcher in between: a test that kills the agent with SIGKILL
 * needs the agent to be the process it kills (a launcher cannot hand
 * SIGKILL on, and its child would go on running).
 */
export function runAgent(args: readonly string[]): StartedCommand {
  const source = join(packageDir, 'src', 'adapters', 'cli.ts');
  return startCommand(process.execPath, ['--conditions=source', source, ...args]);
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
