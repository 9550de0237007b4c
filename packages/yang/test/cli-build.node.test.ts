import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';
import configs from '../tsup.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetkit-yang-cli-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built CLI', () => {
  const [library, cli] = configs as Options[];

  it('is one file that imports nothing, @fleetkit/core included, and validates', async () => {
    await build({ ...cli!, outDir: dir, sourcemap: false, silent: true });
    const file = join(dir, 'adapters', 'node-cli.js');
    const text = readFileSync(file, 'utf8');
    // a static import or a dynamic one of any module, a node: builtin included
    expect(text.match(/^\s*import[\s{*'"]|\bimport\(/gm)).toBeNull();
    writeFileSync(join(dir, 'm.yang'), 'module m { namespace "urn:m"; prefix m; leaf port { type uint16; } }\n');
    writeFileSync(join(dir, 'bad.json'), '{"m:port": 70000}\n');
    const run = spawnSync(process.execPath, [file, 'validate', join(dir, 'm.yang'), join(dir, 'bad.json')], {
      encoding: 'utf8',
    });
    expect([run.status, run.stderr]).toEqual([
      1,
      `${join(dir, 'bad.json')}: /m:port: Invalid value 70000: expected uint16 in 0..65535\n`,
    ]);
  });

  it('is what an installed package’s bin runs, with the compile cache on and no child_process or fs/promises loaded', async () => {
    // an installed layout: the package under node_modules, its dist/ holding the built CLI
    const installed = join(dir, 'node_modules', '@fleetkit', 'yang');
    mkdirSync(join(installed, 'dist'), { recursive: true });
    cpSync(join(import.meta.dirname, '..', 'bin'), join(installed, 'bin'), { recursive: true });
    cpSync(join(import.meta.dirname, '..', 'package.json'), join(installed, 'package.json'));
    await build({ ...cli!, outDir: join(installed, 'dist'), sourcemap: false, silent: true });
    writeFileSync(join(dir, 'n.yang'), 'module n { namespace "urn:n"; prefix n; leaf port { type uint16; } }\n');
    writeFileSync(join(dir, 'ok.json'), '{"n:port": 80}\n');
    const cache = join(dir, 'compile-cache');
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: cache };
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const report = `data:text/javascript,process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)))`;
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        report,
        join(installed, 'bin', 'fleetkit-yang.js'),
        'validate',
        join(dir, 'n.yang'),
        join(dir, 'ok.json'),
      ],
      { encoding: 'utf8', env },
    );
    expect(run.status).toBe(0);
    const loaded = JSON.parse(run.stderr) as string[];
    expect(loaded.filter((m) => /child_process|fs\/promises|readline/.test(m))).toEqual([]);
    // the cache holds the compiled CLI for the next run
    expect(readdirSync(cache).length).toBeGreaterThan(0);
  });

  it('is left alone by the library build’s clean, which runs at the same time', () => {
    expect(library!.clean).toEqual(['!adapters/node-cli.js', '!adapters/node-cli.js.map']);
    expect(library!.entry).not.toContain('src/adapters/node-cli.ts');
  });
});
