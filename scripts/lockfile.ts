// npm run lockfile: repairs package-lock.json after any `npm install`.
//
// The registry this project installs from serves only the linux-x64 builds of
// packages with per-platform binaries (@deno/*, @rollup/*: the others 404), so
// npm leaves those optional dependencies out of the lockfile, and `npm ci`
// then refuses the lockfile as "out of sync". Recording each missing optional
// dependency as an optional entry restores `npm ci`: npm tolerates an optional
// package it cannot fetch, and these are never for this platform anyway.
// docs/decisions/lockfile-platform-packages.md
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
}

const file = join(import.meta.dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
const packages = lock.packages;

/** Where Node would find `dep` from the package at `path` (nearest node_modules up the tree). */
function resolves(path: string, dep: string): boolean {
  let base = path;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${dep}`]) return true;
    if (!base) return false;
    const at = base.lastIndexOf('/node_modules/');
    base = at >= 0 ? base.slice(0, at) : '';
  }
}

const added: string[] = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolves(path, dep)) continue;
    packages[`node_modules/${dep}`] = { version, ...(entry.dev ? { dev: true } : {}), optional: true };
    added.push(`${dep}@${version}`);
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length
    ? `recorded ${added.length} optional platform packages: ${added.join(', ')}`
    : 'lockfile already complete',
);
