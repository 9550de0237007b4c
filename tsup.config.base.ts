// One build recipe for every package: the entries are the `source` files of
// the package's exports map (so the map and the build cannot drift), plus
// modules that workers load by URL. tsup keeps the src/ layout in dist/,
// which `taskModuleUrl` relies on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

interface ExportTarget {
  readonly source?: string;
}

/** `source` paths named by a package.json exports map. */
export function exportSources(packageDir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  return Object.values(pkg.exports ?? {})
    .filter((t): t is ExportTarget => typeof t === 'object' && t !== null && 'source' in t)
    .map((t) => t.source!.replace(/^\.\//, ''));
}

/** The tsup config of the package in `packageDir`; `workerModules` are extra entries. */
export function packageConfig(packageDir: string, workerModules: readonly string[] = []): Options {
  return defineConfig({
    entry: [...exportSources(packageDir), ...workerModules],
    format: ['esm'],
    target: 'es2023',
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: 'dist',
    tsconfig: join(packageDir, '..', '..', 'tsconfig.build.json'),
  }) as Options;
}
