import { spawn } from 'node:child_process';

/** Options of {@link runUntilKilled}. */
export interface RunUntilKilledOptions {
  /** The script to run with this process's runtime, given `--conditions=source`. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Kill once this many complete lines have been printed (or when `until` says so). */
  readonly afterLines: number;
}

/**
 * The harness of every crash test: runs a child that prints one line per
 * acknowledged write, kills it with SIGKILL once it has printed `afterLines`
 * lines (mid-stream: it keeps writing meanwhile), and resolves to every
 * complete line it printed. Rejects if the child exits by itself.
 */
export function runUntilKilled(options: RunUntilKilledOptions): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', options.script, ...(options.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length >= options.afterLines && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`${options.script} exited by itself (code ${code}) before it was killed: ${stderr}`));
    });
  });
}
