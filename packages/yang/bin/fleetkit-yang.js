#!/usr/bin/env node
// fleetkit-yang. An installed package (under node_modules) runs its build; a checkout runs the
// TypeScript source, as its dist/ may be missing, stale, or built for this package but not for
// the ones it imports (docs/decisions/broker-cli-launchers.md, house-cli-launcher.md).
// Only path and url are imported (Node has loaded both before any module runs): an ESM import of
// node:fs or node:child_process builds its whole namespace, which loads streams and more that an
// installed package, importing its build, never uses (docs/decisions/yang-006-cli-start-up.md).
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const name = 'fleetkit-yang';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(packageDir, 'dist', 'adapters', 'node-cli.js');
const source = join(packageDir, 'src', 'adapters', 'node-cli.ts');

if (packageDir.split(sep).includes('node_modules')) {
  // V8's compiled code of the CLI kept between runs (in NODE_COMPILE_CACHE or the OS temp folder;
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off): a later run skips compiling what the last one did
  process.getBuiltinModule?.('node:module').enableCompileCache?.();
  await import(pathToFileURL(built).href);
} else {
  // a checkout: core's launcher, loaded only here, so the installed path above imports nothing more
  const { runSource } = await import('@fleetkit/core/launcher');
  await runSource({ name, script: source });
}
