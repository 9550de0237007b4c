import { spawn } from 'node:child_process';

/** Options of {@link runUntilKilled}. */
export interface RunUntilKilledOptions {
  /** The script to run with this process's runtime, given `--conditions=source`. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Kill once this many complete lines have been printed (or when `until` says so). */
  readonly afterLines: number;
  /**
   * Kill the child anyway once it has printed nothing new for this long
   * (default 15 s), and say so on stderr with the child's own stderr: a kill
   * then is still a kill at some moment of its run, so the caller checks
   * what it acknowledged. A child that printed nothing by then is an error.
   * (Once in a CI run a writer stopped printing mid-stream; the test then
   * timed out with no clue why.)
   */
  readonly stallMs?: number;
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
    let stalled = false;
    const stallMs = options.stallMs ?? 15_000;
    const onStall = (): void => {
      stalled = true;
      process.stderr.write(
        `runUntilKilled: ${[options.script, ...(options.args ?? [])].join(' ')} printed nothing for ${stallMs} ms after ${lines.length} lines; killing it now. Its stderr: ${stderr}\n`,
      );
      child.kill('SIGKILL');
    };
    let watchdog = setTimeout(onStall, stallMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(onStall, stallMs);
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length >= options.afterLines && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', (error) => {
      clearTimeout(watchdog);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (signal === 'SIGKILL' && stalled && lines.length === 0)
        reject(new Error(`${options.script} printed nothing in ${stallMs} ms: ${stderr}`));
      else if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`${options.script} exited by itself (code ${code}) before it was killed: ${stderr}`));
    });
  });
}
