// node conformance/mutants/run.ts [--suite a,b] [--only TEXT] [--wait-ms N]
//
// Measures each suite by mutation: every conformance/mutants/<suite>/*.patch is a one-line bug in our own
// server or broker that breaks a behaviour the source documents or our docs specify. On a scratch copy of
// the committed packages (the working tree is never touched), each patch is applied, the server (or broker)
// started from the copy, the suite run against it, and the files restored. A mutant is killed when a check
// fails. Prints each mutant's fate with the first failing check, and the score per suite; exits 1 when a
// suite kills fewer than 90 % or a patch no longer applies.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DeviceApiName } from '../runner/devices/device.ts';
import { type OurBroker, startOurBroker, TEST_HEARTBEAT_MS } from '../test/our-broker.ts';
import { type OurServer, REPOSITORY, startOurServer } from '../test/our-server.ts';
import { runAgainst } from '../test/run-against.ts';

const TARGET_SCORE = 0.9;

const { values } = parseArgs({
  options: { suite: { type: 'string' }, only: { type: 'string' }, 'wait-ms': { type: 'string' } },
});
const waitMs = Number(values['wait-ms'] ?? 4_000);
const here = import.meta.dirname;
const suites = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => values.suite === undefined || values.suite.split(',').includes(name));

/** One mutant: its patch, what it breaks, and the device API its suite plays devices with. */
interface Mutant {
  readonly suite: string;
  readonly name: string;
  readonly patch: string;
  readonly breaks: string;
  readonly deviceApi: DeviceApiName | undefined;
  /** The files it changes, relative to the repository. */
  readonly files: readonly string[];
}

function mutantsOf(suite: string): Mutant[] {
  return readdirSync(join(here, suite))
    .filter((file) => file.endsWith('.patch'))
    .filter((file) => values.only === undefined || file.includes(values.only))
    .sort()
    .map((file) => {
      const patch = join(here, suite, file);
      const text = readFileSync(patch, 'utf8');
      const header = (field: string) => new RegExp(`^${field}: (.*)$`, 'm').exec(text)?.[1];
      return {
        suite,
        name: file.replace(/\.patch$/, ''),
        patch,
        breaks: header('Breaks') ?? '?',
        deviceApi: header('Device-API') as DeviceApiName | undefined,
        files: [...text.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]!),
      };
    });
}

/** A copy of the committed packages, resolving @fleetkit/* to itself and everything else to the checkout's node_modules. */
function scratchCopy(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'fleetkit-mutants-'));
  const archive = execFileSync('git', ['archive', 'HEAD', 'packages'], { cwd: REPOSITORY, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', scratch], { input: archive });
  const modules = join(scratch, 'node_modules');
  mkdirSync(join(modules, '@fleetkit'), { recursive: true });
  for (const entry of readdirSync(join(REPOSITORY, 'node_modules'))) {
    if (entry === '@fleetkit' || entry === '.bin') continue;
    symlinkSync(join(REPOSITORY, 'node_modules', entry), join(modules, entry));
  }
  for (const name of readdirSync(join(scratch, 'packages'))) {
    symlinkSync(join(scratch, 'packages', name), join(modules, '@fleetkit', name));
    const own = join(REPOSITORY, 'packages', name, 'node_modules');
    if (existsSync(own)) symlinkSync(own, join(scratch, 'packages', name, 'node_modules'));
  }
  return scratch;
}

/** Runs `suite` against a server (or broker) started from `root`; the first failing check, or undefined. */
async function runSuite(
  root: string,
  suite: string,
  deviceApi: DeviceApiName | undefined,
): Promise<string | undefined> {
  let server: OurServer | undefined;
  let broker: OurBroker | undefined;
  try {
    if (suite === 'broker-lifecycle') broker = await startOurBroker({ root, heartbeatMs: TEST_HEARTBEAT_MS });
    else server = await startOurServer({ root });
  } catch (error) {
    return `the ${broker === undefined ? 'server' : 'broker'} did not start: ${String(error).slice(0, 200)}`;
  }
  try {
    const { results } = await runAgainst({
      // the broker suite needs no server: the URL is never called
      url: server?.url ?? 'http://127.0.0.1:9/',
      suites: [suite],
      quiet: true,
      waitMs,
      ...(deviceApi === undefined ? {} : { deviceApi }),
      ...(broker === undefined ? {} : { broker: { server: broker, heartbeatMs: TEST_HEARTBEAT_MS } }),
    });
    const failed = results.find((r) => r.status === 'failed');
    return failed === undefined ? undefined : `${failed.name}: ${failed.reason ?? ''}`.slice(0, 300);
  } finally {
    await Promise.all([server?.stop(), broker?.stop()]);
  }
}

const scratch = scratchCopy();
const scores: string[] = [];
let below = false;
try {
  for (const suite of suites) {
    const mutants = mutantsOf(suite);
    if (mutants.length === 0) continue;
    const baseline = await runSuite(scratch, suite, undefined);
    if (baseline !== undefined) {
      console.log(`${suite}: the unmutated copy fails (${baseline}); its mutants cannot be measured`);
      below = true;
      continue;
    }
    let killed = 0;
    let measured = 0;
    for (const mutant of mutants) {
      const originals = new Map(mutant.files.map((file) => [file, readFileSync(join(scratch, file))]));
      try {
        execFileSync('git', ['apply', '--unidiff-zero', mutant.patch], { cwd: scratch, stdio: 'pipe' });
      } catch (error) {
        // an unmeasured mutant leaves the score incomplete: refresh.ts or make.ts
        console.log(`STALE    ${suite}/${mutant.name}: the patch no longer applies (${String(error).split('\n')[0]})`);
        below = true;
        continue;
      }
      const started = performance.now();
      let failing: string | undefined;
      try {
        failing = await runSuite(scratch, suite, mutant.deviceApi);
      } finally {
        for (const [file, content] of originals) writeFileSync(join(scratch, file), content);
      }
      measured++;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (failing !== undefined) {
        killed++;
        console.log(`killed   ${suite}/${mutant.name} (${seconds} s) by ${failing}`);
      } else {
        console.log(`SURVIVED ${suite}/${mutant.name} (${seconds} s): ${mutant.breaks}`);
      }
    }
    const score = measured === 0 ? 0 : killed / measured;
    below ||= score < TARGET_SCORE;
    scores.push(`${suite.padEnd(20)} ${killed}/${measured} killed (${(score * 100).toFixed(0)} %)`);
    console.log(scores.at(-1));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`\n${scores.join('\n')}`);
process.exit(below ? 1 : 0);
