#!/usr/bin/env node
// fleetkit-broker. Core's launcher imports the build of an installed package (under node_modules)
// and runs the TypeScript source of a checkout (docs/decisions/house-cli-launcher.md); the source
// decides what a signal means: 1001 or 1012 to every peer, then exit.
import { launch } from '@fleetkit/core/launcher';

await launch({
  name: 'fleetkit-broker',
  bin: import.meta.url,
  built: 'dist/adapters/cli.js',
  source: 'src/adapters/cli.ts',
});
