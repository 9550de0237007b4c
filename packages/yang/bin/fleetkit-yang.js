#!/usr/bin/env node
// fleetkit-yang. An installed package (under node_modules) runs its build; a checkout runs the
// TypeScript source, as its dist/ may be missing, stale, or built for this package but not for
// the ones it imports (docs/decisions/broker-cli-launchers.md).
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
} else await runSource();

/** A builtin without an ESM namespace where Node has process.getBuiltinModule (20.16, 22.3), imported where not. */
async function builtin(id) {
  return process.getBuiltinModule?.(id) ?? (await import(id));
}

/** Runs the source on a Node that strips types, resolving workspace packages to their src/ (`source` condition). */
async function runSource() {
  const { spawn } = await builtin('node:child_process');
  const { existsSync } = await builtin('node:fs');
  const node = process.features.typescript ? process.execPath : pinnedNode(existsSync);
  if (node === undefined) {
    console.error(`${name}: Node ${process.version} cannot run TypeScript; use the workspace Node (\`npx\`).`);
    process.exit(1);
  }
  const child = spawn(node, ['--conditions=source', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // the child decides what a signal means
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
function pinnedNode(existsSync) {
  for (let dir = packageDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
