import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terminalEnv } from '@fleetkit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER, type OurServer, REPOSITORY, startOurServer } from './our-server.ts';

const workspace = join(REPOSITORY, 'conformance');
const manifest = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const bin = join(workspace, manifest.bin['fleetkit-conformance']!);
const cli = join(workspace, 'runner', 'cli.ts');
const tools = join(REPOSITORY, 'node_modules', '.bin');

// no node_modules/.bin on PATH: `#!/usr/bin/env node` finds the machine's own Node, which may not strip types
const env = terminalEnv();

describe('the fleetkit-conformance command', () => {
  let server: OurServer;
  let scratch: string;
  const target = () => ['--url', server.url, '--user', MASTER.user, '--password', MASTER.password];

  beforeAll(async () => {
    server = await startOurServer();
    scratch = mkdtempSync(join(tmpdir(), 'fleetkit-conformance-cli-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is a committed launcher that the lockfile names too, so npm ci links it without a build', () => {
    const lock = JSON.parse(readFileSync(join(REPOSITORY, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    expect(existsSync(bin)).toBe(true);
    expect(join(workspace, lock.packages.conformance?.bin?.['fleetkit-conformance'] ?? '')).toBe(bin);
  });

  it('prints a line per check and a summary, writes JUnit and JSON, and exits 0 when every check passed', () => {
    const junit = join(scratch, 'out.xml');
    const result = spawnSync(bin, [...target(), '--suite', 'jsonrpc', '--junit', junit, '--json'], {
      env,
      encoding: 'utf8',
    });
    expect([result.status, result.stderr.match(/^FAIL .*/m)]).toEqual([0, null]);
    // --json: the document alone on stdout, the progress lines and the table on stderr
    const report = JSON.parse(result.stdout) as {
      passed: number;
      failed: number;
      checks: { suite: string; status: string }[];
    };
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.checks.length);
    expect(result.stderr.match(/^ok {3}jsonrpc \d+ /gm)?.length).toBe(report.checks.length);
    expect(result.stderr).toMatch(/^suite +passed +failed +skipped +seconds$/m);
    expect(result.stderr).toMatch(/^jsonrpc +\d+ +0 +0 +[\d.]+$/m);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(
      `<testsuite name="jsonrpc" tests="${report.checks.length}" failures="0" errors="0" skipped="0"`,
    );
    expect(xml.match(/<testcase /g)?.length).toBe(report.checks.length);
  });

  it('exits 1 when a check fails, naming it', () => {
    const args = ['--url', server.url, '--user', MASTER.user, '--password', 'not-the-password', '--suite', 'jsonrpc'];
    const result = spawnSync(bin, args, { env, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^FAIL jsonrpc 1 JSON-RPC 2\.0 \(manual §8\.1\): set-up: /m);
  });

  it('reports a suite the server cannot serve as skipped with the reason, and still exits 0', () => {
    const result = spawnSync(bin, [...target(), '--suite', 'broker-lifecycle'], { env, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^skip broker-lifecycle 1 .*: no broker given: pass --broker-url/m);
  });

  it('exits 2 with its usage on bad arguments', () => {
    for (const args of [
      [],
      [...target(), '--suite', 'no-such-suite'],
      [...target(), '--device-api', 'carrier-pigeon'],
    ]) {
      const result = spawnSync(bin, args, { env, encoding: 'utf8' });
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: fleetkit-conformance');
    }
  });

  it.each([
    ['Bun', [join(tools, 'bun'), '--conditions=source', cli]],
    ['Deno', [join(tools, 'deno'), 'run', '-A', '--conditions=source', cli]],
  ])('runs on %s, devices on the broker', (_runtime, [command, ...pre]) => {
    const args = [...pre!, ...target(), '--suite', 'jsonrpc,device-transaction', '--device-api', 'broker'];
    const result = spawnSync(command!, args, { encoding: 'utf8', cwd: REPOSITORY });
    expect([result.status, result.stdout.match(/^FAIL .*/m), result.stderr]).toEqual([0, null, '']);
    expect(result.stdout).toMatch(/^device-transaction +18 +0 +0 /m);
  });
});
