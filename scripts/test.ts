// npm test: the whole check a newcomer and CI run.
//   0. Biome: formatting and lint of the whole tree
//   1. typecheck every package, benchmark, conformance file and script
//   2. build every package with tsup (proves the exports maps)
//   3. every test on Node 24
//   4. the portable tests under Bun, then under Deno (vitest CLI on each runtime)
// Extra arguments are passed to vitest as filters: `npm test -- packages/core`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { failureReport } from './failure-report.ts';

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

interface Outcome {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

// Streams the step's output live and keeps a copy, so a failure can be
// repeated after the later steps: CI logs are often read from the tail.
function run(step: Step): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(step.command, step.args, {
      cwd: root,
      stdio: ['inherit', 'pipe', 'pipe'],
      env: step.runtime ? { ...env, FLEETKIT_EXPECT_RUNTIME: step.runtime } : env,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

const summary: string[] = [];
const failures: string[] = [];
for (const step of steps) {
  console.log(`\n▶ ${step.name}`);
  const started = performance.now();
  const outcome = await run(step);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok = outcome.status === 0;
  summary.push(`${ok ? '✓' : '✗'} ${step.name} (${seconds} s)${ok ? '' : ` exit ${outcome.status ?? outcome.signal}`}`);
  if (!ok) failures.push(`━━ ${step.name} failed ━━\n${failureReport(outcome.output)}`);
}
if (failures.length > 0) console.log(`\n${failures.join('\n\n')}`);
console.log(`\n${summary.join('\n')}`);
process.exitCode = failures.length > 0 ? 1 : 0;
