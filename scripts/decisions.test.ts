// docs/decisions/README.md indexes every decision record and gives the
// template; run-by-run benchmark logs live in docs/benchmark-history.md,
// which the generated docs/benchmarks.md links to.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarksDoc } from '../benchmarks/harness/format.ts';

const docs = join(import.meta.dirname, '..', 'docs');
const decisions = join(docs, 'decisions');
const index = readFileSync(join(decisions, 'README.md'), 'utf8');
const records = readdirSync(decisions)
  .filter((file) => file.endsWith('.md') && file !== 'README.md')
  .sort();

/** The records the index lists, one per table row: `| [file.md](file.md) | what it decides |`. */
function indexed(markdown: string): string[] {
  return [...markdown.matchAll(/^\| \[([^\]]+\.md)\]\(\1\) \| \S.*\|$/gm)].map((m) => m[1]!).sort();
}

describe('the decision records', () => {
  it('are each listed once in the index, with what they decide', () => {
    expect(indexed(index)).toEqual(records);
  });

  it('have a template with Context, Decision and Consequences', () => {
    const template = /## Template[\s\S]*?```markdown\n([\s\S]*?)```/.exec(index)?.[1] ?? '';
    expect(template.match(/^## .+$/gm)).toEqual(['## Context', '## Decision', '## Consequences']);
  });

  it.each(records)('%s keeps no run-by-run benchmark log', (file) => {
    const text = readFileSync(join(decisions, file), 'utf8');
    // a table row or a sentence naming a suite run by its letter ("| J, …", "run K", "Run L")
    expect(text.match(/^\| [A-Z][,|]|\b[Rr]uns? [A-Z]\b/gm) ?? []).toEqual([]);
  });
});

describe('the benchmark history', () => {
  it('is linked from the generated docs/benchmarks.md and exists', () => {
    expect(benchmarksDoc([])).toContain('[benchmark-history.md](benchmark-history.md)');
    expect(readFileSync(join(docs, 'benchmarks.md'), 'utf8')).toContain('benchmark-history.md');
    expect(readFileSync(join(docs, 'benchmark-history.md'), 'utf8')).toMatch(/^# Benchmark history/);
  });
});
