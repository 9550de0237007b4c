import { join } from 'node:path';
import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.config.base.ts';

// The CLI is the one file a process starts from, so it is built alone, with
// everything it imports (@fleetkit/core's error class included) in that one
// file: no package resolution and no other module to load before the first
// byte of the data is read (docs/decisions/yang-006-cli-start-up.md). Nothing
// else loads it, so its own copy of core's classes meets no other copy.
const CLI = 'adapters/node-cli';

const library: Options = {
  ...packageConfig(import.meta.dirname, ['src/pool/task.ts']),
  // the two builds run at once: the library's clean must leave the CLI's output alone
  clean: [`!${CLI}.js`, `!${CLI}.js.map`],
};

const cli: Options = {
  entry: { [CLI]: join(import.meta.dirname, 'src', 'adapters', 'node-cli.ts') },
  format: ['esm'],
  target: 'es2023',
  platform: 'node',
  noExternal: [/^@fleetkit\//],
  // the workspace's sources, as the library's own build sees its siblings' exports
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
  splitting: false,
  dts: false,
  sourcemap: true,
  clean: false,
  outDir: 'dist',
  tsconfig: join(import.meta.dirname, '..', '..', 'tsconfig.build.json'),
};

export default [library, cli];
