// Publishability of every package (scripts/publish-check.ts): npm tarballs
// without test material, jsr.json in step with package.json, and
// `deno publish --dry-run` clean (no slow types). Node only: it spawns npm
// and deno.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  denoPublishDryRun,
  jsrMismatches,
  NPM_ONLY,
  npmPackFiles,
  PORTABLE,
  root,
  testMaterial,
} from './publish-check.ts';

const license = readFileSync(join(root, 'LICENSE'), 'utf8');

describe('what counts as test material', () => {
  it('is tests, fixtures, test folders and test helpers anywhere, not the public testing/ suites', () => {
    expect(
      testMaterial([
        'src/index.ts',
        'src/a.test.ts',
        'src/a.node.test.ts',
        'dist/a.test.js',
        'src/_fixtures/oracle.ts',
        'src/adapters/_fixtures/state-writer.ts',
        'src/_internal/test-engine.ts',
        'src/_internal/test-broker.js',
        'dist/_internal/test-peer.d.ts',
        'src/adapters/test-host.ts',
        'test/oracle.ts',
        'test/fixtures/tasks.ts',
        'src/test/helper.ts',
        'src/testing/index.ts',
        'src/testing/store-suite.ts',
        'dist/testing/index.js',
        'src/latest-test.ts',
        'src/contest/index.ts',
        'dist/chunk-TEST1234.js',
      ]),
    ).toEqual([
      'src/a.test.ts',
      'src/a.node.test.ts',
      'dist/a.test.js',
      'src/_fixtures/oracle.ts',
      'src/adapters/_fixtures/state-writer.ts',
      'src/_internal/test-engine.ts',
      'src/_internal/test-broker.js',
      'dist/_internal/test-peer.d.ts',
      'src/adapters/test-host.ts',
      'test/oracle.ts',
      'test/fixtures/tasks.ts',
      'src/test/helper.ts',
    ]);
  });
});

describe('the licence', () => {
  it('is the Apache License 2.0 that every package.json names', () => {
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    for (const name of [...PORTABLE, ...NPM_ONLY]) {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { license: string };
      expect(pkg.license, name).toBe('Apache-2.0');
      expect(readFileSync(join(root, 'packages', name, 'LICENSE'), 'utf8'), `packages/${name}/LICENSE`).toBe(license);
    }
  });
});

describe.each([...PORTABLE, ...NPM_ONLY])('@fleetkit/%s on npm', (name) => {
  it('npm pack ships no tests, test helpers or fixtures, and ships the licence and README', () => {
    const files = npmPackFiles(name);
    expect(testMaterial(files)).toEqual([]);
    expect(files).toContain('LICENSE');
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
  });
});

describe.each(PORTABLE)('@fleetkit/%s on JSR', (name) => {
  it('has a jsr.json that mirrors package.json', () => {
    expect(jsrMismatches(name)).toEqual([]);
  });

  it('passes deno publish --dry-run (no slow types) and would upload no test material', () => {
    const result = denoPublishDryRun(name);
    expect(result.ok, result.output).toBe(true);
    expect(result.files).toContain('LICENSE');
    expect(result.files.some((file) => file.startsWith('src/'))).toBe(true);
    expect(testMaterial(result.files)).toEqual([]);
  }, 180_000);
});
