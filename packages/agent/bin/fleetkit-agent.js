#!/usr/bin/env node
// fleetkit-agent. Core's launcher imports the build of an installed package (under node_modules)
// and runs the TypeScript source of a checkout (docs/decisions/house-cli-launcher.md); the source
// decides what a signal means: stop the agents, then exit.
import { launch } from '@fleetkit/core/launcher';

await launch({
  name: 'fleetkit-agent',
  bin: import.meta.url,
  built: 'dist/adapters/cli.js',
  source: 'src/adapters/cli.ts',
});
