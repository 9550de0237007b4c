import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageBin, startCommand, terminalEnv } from './command.ts';

const scratch = mkdtempSync(join(tmpdir(), 'fleetkit-command-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('terminalEnv', () => {
  it('drops every node_modules/.bin from PATH and ends it with the running Node’s folder', () => {
    const env = terminalEnv({
      PATH: ['/w/node_modules/.bin', '/usr/bin', '/w/a/node_modules/.bin'].join(delimiter),
      X: '1',
    });
    expect(env).toEqual({ PATH: ['/usr/bin', dirname(process.execPath)].join(delimiter), X: '1' });
  });
});

describe('packageBin', () => {
  it('gives the bin package.json names and the one the workspace lockfile links', () => {
    const root = join(scratch, 'workspace');
    mkdirSync(join(root, 'packages', 'tool'), { recursive: true });
    writeFileSync(join(root, 'packages', 'tool', 'package.json'), JSON.stringify({ bin: { tool: './bin/tool.js' } }));
    writeFileSync(
      join(root, 'package-lock.json'),
      JSON.stringify({ packages: { 'packages/tool': { bin: { tool: 'bin/old-tool.js' } } } }),
    );
    expect(packageBin(join(root, 'packages', 'tool'), 'tool')).toEqual({
      path: join(root, 'packages', 'tool', 'bin', 'tool.js'),
      locked: join(root, 'packages', 'tool', 'bin', 'old-tool.js'),
    });
    expect(packageBin(join(root, 'packages', 'tool'), 'other').locked).toBeUndefined();
  });
});

describe('startCommand', () => {
  it('collects stdout and stderr and resolves waitFor at the first match', async () => {
    const command = startCommand(process.execPath, ['-e', 'console.log("port 41"); console.error("warn")']);
    expect((await command.waitFor(/port (\d+)/))[1]).toBe('41');
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(command.output()).toContain('warn');
  });

  it('rejects waitFor with the output when the command exits without printing a match', async () => {
    const command = startCommand(process.execPath, ['-e', 'console.log("no port"); process.exit(2)']);
    await expect(command.waitFor(/port (\d+)/)).rejects.toThrow(
      /exited \(2\) before printing \/port \(\\d\+\)\/; its output:\nno port/,
    );
  });
});
