// Comments keep the rule and its reason; the measurements behind them live in
// docs/decisions/ ("Measurements behind code comments" sections), where they
// can be dated and re-run. This test finds a figure slipped back into a
// comment of package or benchmark source.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
// a timing (µs, ns, "12 ms of"), a share ("15 % of", "5 % faster"), or a speed-up ("1.9×")
const MEASUREMENT = /\d[\d.,]*\s?(µs|ns)\b|\d[\d.,]*\s?ms of\b|\d\s?%\s(faster|slower|of|longer)\b|\d(\.\d+)?×/;
const COMMENT = /^\s*(\/\/|\*|\/\*)/;

function sources(): string[] {
  const listed = execFileSync('git', ['ls-files', 'packages/*/src/*.ts', 'benchmarks/*.ts'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed.split('\n').filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
}

it('finds no measurement in a comment of package or benchmark source', () => {
  const found: string[] = [];
  for (const file of sources()) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (COMMENT.test(line) && MEASUREMENT.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  expect(found).toEqual([]);
});
