// npm test: the whole check a newcomer and CI run.
//   0. Biome: formatting and lint of the whole tree
//   1. typecheck every package, benchmark, conformance file and script
//   2. build every package with tsup (proves the exports maps)
//   3. every test on Node 24
//   4. the portable tests under Bun, then under Deno (vitest CLI on each runtime)
// Extra arguments are passed to vitest as filters: `npm test -- packages/core`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const filters = process.argv.slice(2);
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };

interface Step {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly runtime?: string;
}

const steps: Step[] = [
  { name: 'lint (Biome)', command: join(bin, 'biome'), args: ['check', '.'] },
  { name: 'typecheck', command: join(bin, 'tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { name: 'build', command: 'npm', args: ['run', 'build', '--silent'] },
  { name: 'tests on Node', command: process.execPath, args: [vitest, 'run', ...filters], runtime: 'node' },
  {
    name: 'portable tests on Bun',
    command: join(bin, 'bun'),
    args: ['--bun', vitest, 'run', '--config', 'vitest.portable.config.ts', ...filters],
    runtime: 'bun',
  },
  {
    name: 'portable tests on Deno',
    command: join(bin, 'deno'),
    args: ['run', '-A', vitest, 'run', '--config', 'vitest.portable.config.ts', ...filters],
    runtime: 'deno',
  },
];

const summary: string[] = [];
let failed = false;
for (const step of steps) {
  console.log(`\n▶ ${step.name}`);
  const started = performance.now();
  const result = spawnSync(step.command, step.args, {
    cwd: root,
    stdio: 'inherit',
    env: step.runtime ? { ...env, FLEETKIT_EXPECT_RUNTIME: step.runtime } : env,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  failed ||= !ok;
  summary.push(`${ok ? '✓' : '✗'} ${step.name} (${seconds} s)${ok ? '' : ` exit ${result.status ?? result.signal}`}`);
}
console.log(`\n${summary.join('\n')}`);
process.exitCode = failed ? 1 : 0;
