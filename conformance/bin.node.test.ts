import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { terminalEnv } from '@fleetkit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from './broker/start-broker.ts';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const bin = join(import.meta.dirname, manifest.bin['fleetkit-conformance-broker']!);

// no node_modules/.bin on PATH: `#!/usr/bin/env node` finds the machine's own Node, which may not strip types
const env = terminalEnv();

describe('the fleetkit-conformance-broker bin, run by its package.json path', () => {
  it('is a committed file that the lockfile names too, so npm ci links it without a build', () => {
    const root = join(import.meta.dirname, '..');
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    expect(existsSync(bin)).toBe(true);
    expect(join(root, 'conformance', lock.packages.conformance?.bin?.['fleetkit-conformance-broker'] ?? '')).toBe(bin);
  });

  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker('node', ['--device-key', 'dk', '--control-key', 'ck']);
  });
  afterAll(() => broker.stop());

  it('runs checks against a broker whatever Node the shell has, and exits 0 when they pass', () => {
    const args = ['--url', broker.url, '--device-key', 'dk', '--control-key', 'ck', '--filter', 'welcome'];
    const result = spawnSync(bin, args, { env, encoding: 'utf8' });
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^ok /m);
  });

  it('exits 2 with its usage on missing arguments', () => {
    const result = spawnSync(bin, [], { env, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: fleetkit-conformance-broker');
  });
});
