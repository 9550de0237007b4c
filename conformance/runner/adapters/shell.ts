// Runs an operator's shell command (the broker suite's --restart-command and
// --shutdown-command): node:child_process, which Node, Bun and Deno provide.
import { spawn } from 'node:child_process';

/** Runs `command` in a shell; resolves with its exit code and what it wrote. */
export function runCommand(command: string): Promise<{ readonly code: number | null; readonly output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
