// The bins' launcher (launcher/launch.js), run as a bin is: through a fixture package whose bin
// calls `launch`, in a checkout (here) and installed (a copy under a node_modules folder).
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInstalled, packageDirOf } from '@fleetkit/core/launcher';
import { afterAll, describe, expect, it } from 'vitest';
import { startCommand, terminalEnv } from '../src/testing/command.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'launcher');
const checkoutBin = join(fixture, 'bin', 'fixture-cli.js');

/** Runs a bin with the terminal's `node` (the machine's own, which may not strip types). */
const run = (bin: string, args: string[]) => startCommand('node', [bin, ...args], terminalEnv());

const scratch = mkdtempSync(join(tmpdir(), 'fleetkit-launcher-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('where the launcher looks', () => {
  it('takes the package as the folder above the bin’s bin/, installed when under node_modules', () => {
    expect(packageDirOf('file:///work/packages/broker/bin/fleetkit-broker.js')).toBe('/work/packages/broker');
    expect(isInstalled('/app/node_modules/@fleetkit/broker')).toBe(true);
    expect(isInstalled('/work/packages/broker')).toBe(false);
    expect(isInstalled('/work/node_modules_old/broker')).toBe(false);
  });
});

describe('a bin on core’s launcher, in a checkout', () => {
  it('runs the TypeScript source with the workspace resolved to its sources, passing the arguments', async () => {
    const command = run(checkoutBin, ['exit', '0']);
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(JSON.parse(command.output())).toEqual({
      ran: 'source',
      args: ['exit', '0'],
      typescript: true,
      core: 'src/index.ts',
    });
  });

  it('exits with the source’s exit code', async () => {
    const command = run(checkoutBin, ['exit', '3']);
    expect(await command.exited).toEqual({ code: 3, signal: null });
  });

  it('hands SIGTERM to the source, which decides what it means', async () => {
    const command = run(checkoutBin, ['wait']);
    await command.waitFor(/waiting/);
    command.child.kill('SIGTERM');
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(command.output()).toContain('stopping on SIGTERM');
  });

  it('ends by the signal that ended the source', async () => {
    const command = run(checkoutBin, ['die']);
    expect(await command.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('says which Node cannot run TypeScript when the workspace has no Node of its own', async () => {
    // a copy outside the workspace: no node_modules/.bin/node above it, and core linked in by hand
    const alone = join(scratch, 'alone');
    cpSync(fixture, alone, { recursive: true });
    mkdirSync(join(alone, 'node_modules', '@fleetkit'), { recursive: true });
    symlinkSync(join(import.meta.dirname, '..'), join(alone, 'node_modules', '@fleetkit', 'core'));
    const command = run(join(alone, 'bin', 'fixture-cli.js'), []);
    const { code } = await command.exited;
    if ((await terminalNode(['-p', 'Boolean(process.features.typescript)'])) === 'true') {
      // the terminal's Node strips types itself, so it runs the source
      expect([code, JSON.parse(command.output()).ran]).toEqual([0, 'source']);
    } else {
      expect(code).toBe(1);
      expect(command.output()).toMatch(
        /^fixture-cli: Node v\d+\.\d+\.\d+ cannot run TypeScript; use the workspace Node/,
      );
    }
  });
});

describe('a bin on core’s launcher, installed', () => {
  it('imports the build, loading neither child_process nor fs/promises, and never runs the source', async () => {
    const modules = join(scratch, 'app', 'node_modules');
    cpSync(fixture, join(modules, 'fixture-cli'), { recursive: true });
    mkdirSync(join(modules, '@fleetkit'), { recursive: true });
    symlinkSync(join(import.meta.dirname, '..'), join(modules, '@fleetkit', 'core'));
    // an installed package's engines ask for Node 24: the Node running the tests
    const command = startCommand(process.execPath, [join(modules, 'fixture-cli', 'bin', 'fixture-cli.js'), 'a', 'b']);
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(JSON.parse(command.output())).toEqual({ ran: 'built', args: ['a', 'b'], heavy: [] });
  });
});

/** What the terminal's `node` prints for `args`. */
async function terminalNode(args: string[]): Promise<string> {
  const command = startCommand('node', args, terminalEnv());
  await command.exited;
  return command.output().trim();
}
