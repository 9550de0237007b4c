#!/usr/bin/env node
// fleetkit-agent. An installed package (under node_modules) runs its build; a checkout runs the
// TypeScript source, as its dist/ may be missing, stale, or built for this package but not for
// the ones it imports (docs/decisions/broker-cli-launchers.md).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const name = 'fleetkit-agent';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(packageDir, 'dist', 'adapters', 'cli.js');
const source = join(packageDir, 'src', 'adapters', 'cli.ts');

if (packageDir.split(sep).includes('node_modules')) await import(pathToFileURL(built).href);
else runSource();

/** Runs the source on a Node that strips types, resolving workspace packages to their src/ (`source` condition). */
function runSource() {
  const node = process.features.typescript ? process.execPath : pinnedNode();
  if (node === undefined) {
    console.error(`${name}: Node ${process.version} cannot run TypeScript; use the workspace Node (\`npx\`).`);
    process.exit(1);
  }
  const child = spawn(node, ['--conditions=source', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // the child decides what a signal means (fleetkit-agent: stop the agents, then exit)
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`${name}: cannot start ${node}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const forwarded of signals) process.removeAllListeners(forwarded);
    process.kill(process.pid, signal);
  });
}

/** The Node the workspace pins (the `node` devDependency's node_modules/.bin/node), nearest first. */
function pinnedNode() {
  for (let dir = packageDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
