// The Node binary against yanglint on the same files: same exit status class. The binary runs from
// the sources (`--conditions=source` resolves workspace packages to src/, as vitest does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/adapters/node-cli.ts', import.meta.url));
const modules = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), 'fleetkit-yang-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const docs: Record<string, unknown> = {
  valid: { 'fk-types:types': { port: 8080, i64: '-5', dec: '1.5', marker: [null], perms: 'write read' } },
  range: { 'fk-types:types': { port: 2000 } },
  string64: { 'fk-types:types': { i64: 5 } },
  unknown: { 'fk-types:types': { nope: 1 } },
};

describe('fleetkit-yang binary', () => {
  for (const [name, doc] of Object.entries(docs)) {
    it(`gives the same verdict as yanglint for the "${name}" document`, () => {
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify(doc));
      const ours = spawnSync(
        node,
        ['--conditions=source', cli, 'validate', '-p', modules, join(modules, 'fk-types.yang'), file],
        {
          encoding: 'utf8',
        },
      );
      expect(ours.status === 0).toBe(name === 'valid');
      if (name !== 'valid') expect(ours.stderr).toContain(`${file}: /fk-types:types`);
      if (existsSync('/usr/bin/yanglint')) {
        const theirs = spawnSync(
          '/usr/bin/yanglint',
          ['-t', 'config', '-p', modules, join(modules, 'fk-types.yang'), file],
          { encoding: 'utf8' },
        );
        expect(ours.status === 0).toBe(theirs.status === 0);
      }
    });
  }
});
