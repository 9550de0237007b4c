// The one launcher of fleetkit's CLI bins (docs/decisions/house-cli-launcher.md). Plain JavaScript that
// no build makes: a checkout's bin runs it before anything is built, on whatever Node the shell has.
// Only path and url are imported (Node has loaded both before any module runs); child_process and
// fs are taken when a checkout runs its source, so an installed bin that imports its build loads
// nothing more (docs/decisions/yang-006-cli-start-up.md).
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The signals a launcher hands to the source it runs: the child decides what each means. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The folder of the package whose bin is at `binUrl` (a bin lives in `<package>/bin/`). */
export function packageDirOf(binUrl) {
  return join(dirname(fileURLToPath(binUrl)), '..');
}

/** Whether `packageDir` is an installed copy (under node_modules) rather than a checkout. */
export function isInstalled(packageDir) {
  return packageDir.split(sep).includes('node_modules');
}

/** An installed package imports its build; a checkout runs its TypeScript source. */
export async function launch(options) {
  const packageDir = packageDirOf(options.bin);
  if (isInstalled(packageDir)) await import(pathToFileURL(join(packageDir, options.built)).href);
  else await runSource({ name: options.name, script: join(packageDir, options.source) });
}

/**
 * Runs `script` in a child Node that strips types, resolving workspace packages to their src/
 * (`--conditions=source`): the running Node when it can, else the workspace's pinned one. Hands
 * SIGINT, SIGTERM and SIGHUP to the child; exits with its code, or re-raises the signal that ended it.
 */
export async function runSource(options) {
  const { spawn } = await builtin('node:child_process');
  const { existsSync } = await builtin('node:fs');
  const name = options.name;
  const node = process.features.typescript ? process.execPath : pinnedNode(dirname(options.script), existsSync);
  if (node === undefined) {
    console.error(`${name}: Node ${process.version} cannot run TypeScript; use the workspace Node (\`npx\`).`);
    process.exit(1);
  }
  const args = options.args ?? process.argv.slice(2);
  const child = spawn(node, ['--conditions=source', options.script, ...args], { stdio: 'inherit' });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`${name}: cannot start ${node}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const forwarded of FORWARDED) process.removeAllListeners(forwarded);
    process.kill(process.pid, signal);
  });
}

/** The Node the workspace pins (the `node` devDependency's node_modules/.bin/node), nearest `from` first. */
function pinnedNode(from, existsSync) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A builtin without building an ESM namespace where Node has process.getBuiltinModule (20.16, 22.3). */
async function builtin(id) {
  return process.getBuiltinModule?.(id) ?? (await import(id));
}
