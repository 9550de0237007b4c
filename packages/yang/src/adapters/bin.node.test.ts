import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageBin, terminalEnv } from '@fleetkit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');
const bin = packageBin(packageDir, 'fleetkit-yang');
// no node_modules/.bin on PATH: `#!/usr/bin/env node` finds the machine's own Node, which may not strip types
const env = terminalEnv();

const dir = mkdtempSync(join(tmpdir(), 'fleetkit-yang-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'm.yang'),
  'module m { yang-version 1.1; namespace "urn:m"; prefix m; leaf port { type uint16; } }\n',
);
writeFileSync(join(dir, 'ok.json'), '{"m:port": 80}\n');
writeFileSync(join(dir, 'bad.json'), '{"m:port": 70000}\n');

describe('the fleetkit-yang bin, run by its package.json path', () => {
  it('is a committed file that the lockfile names too, so npm ci links it without a build', () => {
    expect(existsSync(bin.path)).toBe(true);
    expect(bin.locked).toBe(bin.path);
  });

  it('validates in a checkout without a build, whatever Node the shell has: 0 valid, 1 invalid', () => {
    const valid = spawnSync(bin.path, ['validate', 'm.yang', 'ok.json'], { cwd: dir, env, encoding: 'utf8' });
    expect([valid.status, valid.stderr]).toEqual([0, '']);
    const invalid = spawnSync(bin.path, ['validate', 'm.yang', 'bad.json'], { cwd: dir, env, encoding: 'utf8' });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('expected uint16');
  });
});
