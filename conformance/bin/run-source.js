// Shared by the conformance launchers. The suites are never built: a launcher runs their TypeScript
// source through core's launcher, on a Node that strips types even when the shell's own Node cannot
// (docs/decisions/house-cli-launcher.md).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSource as launchSource } from '@fleetkit/core/launcher';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `source` (relative to this package) with the launcher's arguments, resolving workspace packages to src/. */
export function runSource(name, source) {
  return launchSource({ name, script: join(packageDir, source) });
}
