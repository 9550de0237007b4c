// npm run bench -- <suite>… [--time MS]   run suites, print tables, write results
// npm run bench  (or -- --all)            every suite under benchmarks/
// npm run bench -- <suite> --dry-run       run and print only: no results file, docs untouched
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchmarksDoc, markdownTable } from './harness/format.ts';
import { checkMachine, machineLine } from './harness/machine-check.ts';
import { runSuite } from './harness/run-suite.ts';
import type { Suite, SuiteResult } from './harness/suite.ts';

const here = import.meta.dirname;
const resultsDir = join(here, 'results');

function availableSuites(): string[] {
  return readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'bench.ts')))
    .map((d) => d.name)
    .sort();
}

function writeDoc(): void {
  const results = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as SuiteResult);
  writeFileSync(join(here, '..', 'docs', 'benchmarks.md'), benchmarksDoc(results));
}

async function runOne(name: string, timeMs: number, save: boolean): Promise<'ran' | 'skipped'> {
  const suite = (await import(join(here, name, 'bench.ts'))).default as Suite;
  console.log(`\n## ${suite.name}\n${suite.description}\n`);
  const machine = await checkMachine();
  console.log(`${machineLine(machine)}\n`);
  const unavailable = await suite.setup?.();
  if (unavailable) {
    console.log(`skipped: ${unavailable}`);
    return 'skipped';
  }
  try {
    const cases = await runSuite(suite, { timeMs }, (r) =>
      console.log(`  ${r.name}: ${r.ratio.toFixed(2)}× ${r.peer}`),
    );
    console.log(`\n${markdownTable(cases)}`);
    const result: SuiteResult = {
      suite: suite.name,
      node: process.versions.node,
      date: new Date().toISOString().slice(0, 10),
      command: `npm run bench -- ${name}`,
      description: suite.description,
      machine,
      cases,
    };
    if (save) {
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    }
  } finally {
    await suite.teardown?.();
  }
  return 'ran';
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    all: { type: 'boolean', default: false },
    time: { type: 'string', default: '2000' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const known = availableSuites();
const names = values.all || positionals.length === 0 ? known : positionals;
const unknown = names.filter((n) => !known.includes(n));
if (names.length === 0 || unknown.length > 0) {
  console.error(`usage: npm run bench -- <suite>… | --all  [--time MS] [--dry-run]  (suites: ${known.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const name of names) {
  try {
    await runOne(name, Number(values.time), !values['dry-run']);
  } catch (error) {
    failed++;
    console.error(`suite ${name} failed:`, error);
  }
}
if (!values['dry-run']) writeDoc();
process.exitCode = failed > 0 ? 1 : 0;
