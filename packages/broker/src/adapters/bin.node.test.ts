import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const packageDir = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const bin = join(packageDir, manifest.bin['fleetkit-broker']!);

/**
 * A terminal's PATH: no node_modules/.bin, so `#!/usr/bin/env node` finds the
 * machine's own Node (which may be too old to strip types), or, on a machine
 * without one, the workspace's.
 */
const env = {
  ...process.env,
  PATH: [
    ...(process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes(`node_modules${sep}.bin`)),
    dirname(process.execPath),
  ].join(delimiter),
};

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', reject);
  });
  return { child, output: () => output, exited };
}

describe('the fleetkit-broker bin, run by its package.json path', () => {
  it('is a committed file that the lockfile names too, so npm ci links it without a build', () => {
    const root = join(packageDir, '..', '..');
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    expect(existsSync(bin)).toBe(true);
    expect(join(root, 'packages/broker', lock.packages['packages/broker']?.bin?.['fleetkit-broker'] ?? '')).toBe(bin);
  });

  it('runs in a checkout without a build, whatever Node the shell has', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: fleetkit-broker --port N');
  });

  it('hands SIGTERM to the broker, which closes its peers with 1001 and exits 0', async () => {
    const broker = run(['--port', '0', '--host', '127.0.0.1', '--device-key', 'dk', '--control-key', 'ck']);
    let listening: RegExpExecArray | null = null;
    while (listening === null) {
      if (broker.child.exitCode !== null) throw new Error(`exited before listening:\n${broker.output()}`);
      await new Promise((r) => setTimeout(r, 20));
      listening = /listening on (ws:\/\/\S+)/.exec(broker.output());
    }
    const url = listening[1]!;
    const device = new WebSocket(`${url}/devices?apiKey=dk`);
    await new Promise((resolve) => device.once('message', resolve));
    const closed = new Promise<number>((resolve) => device.once('close', resolve));
    broker.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await broker.exited).toBe(0);
  });
});
