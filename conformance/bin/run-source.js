// Shared by the conformance launchers. The suites are never built: a launcher runs their TypeScript
// source on a Node that strips types, even when the shell's own Node cannot (docs/decisions/broker-cli-launchers.md).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `source` (relative to the workspace) with the launcher's arguments, resolving workspace packages to src/. */
export function runSource(name, source) {
  const node = process.features.typescript ? process.execPath : pinnedNode();
  if (node === undefined) {
    console.error(`${name}: Node ${process.version} cannot run TypeScript; use the workspace Node (\`npx\`).`);
    process.exit(1);
  }
  const child = spawn(node, ['--conditions=source', join(packageDir, source), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
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
function pinnedNode() {
  for (let dir = packageDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
