import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const bin = join(packageDir, manifest.bin['fleetkit-yang']!);

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
    const root = join(packageDir, '..', '..');
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    expect(existsSync(bin)).toBe(true);
    expect(join(root, 'packages/yang', lock.packages['packages/yang']?.bin?.['fleetkit-yang'] ?? '')).toBe(bin);
  });

  it('validates in a checkout without a build, whatever Node the shell has: 0 valid, 1 invalid', () => {
    const valid = spawnSync(bin, ['validate', 'm.yang', 'ok.json'], { cwd: dir, env, encoding: 'utf8' });
    expect([valid.status, valid.stderr]).toEqual([0, '']);
    const invalid = spawnSync(bin, ['validate', 'm.yang', 'bad.json'], { cwd: dir, env, encoding: 'utf8' });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('expected uint16');
  });
});
