// Can each package be published as it is? For npm: what `npm pack` would
// ship holds no tests, test helpers or fixtures, and does hold the licence
// and README. For JSR: jsr.json mirrors package.json (name, version,
// licence, the `source` entries of the exports map), and `deno publish
// --dry-run` passes (no slow types) and would upload no test material.
//
//   npx node scripts/publish-check.ts            every package (the server: npm only)
//   npx node scripts/publish-check.ts core yang  those packages
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root: string = join(import.meta.dirname, '..');

/** The packages that run on every runtime and go to both registries. */
export const PORTABLE: readonly string[] = ['core', 'jsonrpc', 'rbac', 'yang', 'chunked', 'txqueue', 'broker', 'agent'];

/** Packages published to npm only: the server needs Node's CLI and is not a portable library. */
export const NPM_ONLY: readonly string[] = ['server'];

/**
 * Paths inside a package that must never ship, wherever they stand: tests
 * (`*.test.ts`), anything in a `_fixtures/` or `test/` folder, and any
 * `test-*` file, in `_internal/` or not. Test helpers live in the package's
 * `test/` folder; the suites others run live in `src/testing/` and may ship.
 */
const TEST_MATERIAL: readonly RegExp[] = [
  /\.test\.[cm]?[jt]s$/,
  /(^|\/)_fixtures\//,
  /(^|\/)test\//,
  /(^|\/)_internal\/test-/,
  /(^|\/)test-[^/]*\.[cm]?[jt]s$/,
];

/** The paths among `files` that are test material (`testing/` suites are public contract suites and may ship). */
export function testMaterial(files: readonly string[]): string[] {
  return files.filter((file) => TEST_MATERIAL.some((pattern) => pattern.test(file)));
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly exports: Record<string, string | { readonly source?: string }>;
}

interface JsrJson {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly license?: unknown;
  readonly exports?: unknown;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** jsr.json's exports as package.json's `source` entries say they must be. */
export function expectedJsrExports(pkg: PackageJson): Record<string, string> {
  const exports: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'object' && target.source !== undefined) exports[key] = target.source;
  }
  return exports;
}

/** Where jsr.json and package.json disagree, one line each. */
export function jsrMismatches(name: string): string[] {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'jsr.json'))) return ['no jsr.json'];
  const pkg = readJson<PackageJson>(join(dir, 'package.json'));
  const jsr = readJson<JsrJson>(join(dir, 'jsr.json'));
  const problems: string[] = [];
  for (const field of ['name', 'version', 'license'] as const) {
    if (jsr[field] !== pkg[field])
      problems.push(`${field}: jsr.json ${String(jsr[field])}, package.json ${pkg[field]}`);
  }
  const expected = JSON.stringify(expectedJsrExports(pkg));
  if (JSON.stringify(jsr.exports) !== expected) {
    problems.push(`exports: jsr.json ${JSON.stringify(jsr.exports)}, package.json sources ${expected}`);
  }
  return problems;
}

/** The paths `npm pack` would put in the tarball of a package. */
export function npmPackFiles(name: string): string[] {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(root, 'packages', name),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm pack --dry-run failed in packages/${name}:\n${result.stderr}`);
  const [report] = JSON.parse(result.stdout) as [{ files: { path: string }[] }];
  return report.files.map((file) => file.path);
}

/** What `deno publish --dry-run` says: whether it passed, the files it would upload, and its output. */
export interface DenoPublishResult {
  readonly ok: boolean;
  readonly files: readonly string[];
  readonly output: string;
}

export function denoPublishDryRun(name: string): DenoPublishResult {
  const dir = join(root, 'packages', name);
  const result = spawnSync(join(root, 'node_modules', '.bin', 'deno'), ['publish', '--dry-run', '--allow-dirty'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const output = `${result.stdout}${result.stderr}`;
  const prefix = `file://${dir}/`;
  const files = [...output.matchAll(/^\s*(file:\/\/\S+)/gm)]
    .map((match) => match[1]!)
    .filter((url) => url.startsWith(prefix))
    .map((url) => url.slice(prefix.length));
  return { ok: result.status === 0 && /Success Dry run complete/.test(output), files, output };
}

/** Every problem of one package, one line each; empty when it can be published. */
export function checkPackage(name: string): string[] {
  const problems: string[] = [];
  const packed = npmPackFiles(name);
  for (const file of testMaterial(packed)) problems.push(`npm pack ships test material: ${file}`);
  for (const file of ['package.json', 'README.md', 'LICENSE']) {
    if (!packed.includes(file)) problems.push(`npm pack leaves out ${file}`);
  }
  if (!NPM_ONLY.includes(name)) {
    for (const line of jsrMismatches(name)) problems.push(`jsr.json: ${line}`);
    const deno = denoPublishDryRun(name);
    if (!deno.ok) problems.push(`deno publish --dry-run failed:\n${deno.output}`);
    for (const file of testMaterial(deno.files)) problems.push(`deno publish uploads test material: ${file}`);
  }
  return problems;
}

if (import.meta.main) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : [...PORTABLE, ...NPM_ONLY];
  let failed = false;
  for (const name of names) {
    const problems = checkPackage(name);
    failed ||= problems.length > 0;
    console.log(problems.length === 0 ? `✓ @fleetkit/${name}` : `✗ @fleetkit/${name}\n  ${problems.join('\n  ')}`);
  }
  process.exitCode = failed ? 1 : 0;
}
