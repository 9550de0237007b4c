// The Node binary against yanglint on the same files: same exit status class. The binary runs from
// the sources (`--conditions=source` resolves workspace packages to src/, as vitest does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('fleetkit-yang compile beside yanglint (schemas only)', () => {
  const broken = join(work, 'broken');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'lib.yang'), 'module lib { namespace "urn:lib"; prefix l; typedef t { type string } }');
  writeFileSync(
    join(broken, 'user.yang'),
    'module user { namespace "urn:user"; prefix u; import lib { prefix l; } leaf x { type l:t; } }',
  );
  writeFileSync(join(work, 'bad-type.yang'), 'module bad-type { namespace "urn:b"; prefix b; leaf x { type nope; } }');
  const cases: { name: string; args: string[]; status: number; stderr?: RegExp }[] = [
    {
      name: 'a module with actions and nested notifications',
      args: ['-p', modules, join(modules, 'fk-ops.yang')],
      status: 0,
    },
    {
      name: 'a module augmenting a node an imported module adds by augment',
      args: ['-p', modules, join(modules, 'fk-aux.yang')],
      status: 0,
    },
    { name: 'a module with an unknown type', args: [join(work, 'bad-type.yang')], status: 1 },
    {
      name: 'a module importing one that does not parse',
      args: ['-p', broken, join(broken, 'user.yang')],
      status: 1,
      stderr: /lib\.yang:1:\d+: /,
    },
    { name: 'an unknown option', args: ['--bogus', join(modules, 'fk-ops.yang')], status: 1 },
  ];
  for (const c of cases) {
    it(`exits ${c.status} as yanglint does for ${c.name}`, () => {
      const ours = spawnSync(node, ['--conditions=source', cli, 'compile', ...c.args], { encoding: 'utf8' });
      expect(ours.status).toBe(c.status);
      if (c.stderr !== undefined) expect(ours.stderr).toMatch(c.stderr);
      if (existsSync('/usr/bin/yanglint')) {
        const theirs = spawnSync('/usr/bin/yanglint', c.args, {
          encoding: 'utf8',
          env: { ...process.env, HOME: '/tmp' },
        });
        expect(theirs.status).toBe(c.status);
      }
    });
  }
});
