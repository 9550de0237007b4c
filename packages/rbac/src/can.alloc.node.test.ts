import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const probe = fileURLToPath(new URL('../test/alloc-probe.ts', import.meta.url));

/** Young-generation collections between the probe's markers. */
function scavenges(calls: number): number {
  const out = execFileSync(
    process.execPath,
    ['--conditions=source', '--expose-gc', '--trace-gc', probe, String(calls)],
    { encoding: 'utf8' },
  );
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith('PROBE-START'));
  const end = lines.findIndex((l) => l.startsWith('PROBE-END'));
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return lines.slice(start, end).filter((l) => l.includes('Scavenge')).length;
}

it('allocates nothing per call: millions of can() calls trigger no young-generation collection', () => {
  // 5M calls allocating even 8 bytes each would fill the young generation
  // (16 MiB semi-spaces by default) and force collections
  expect(scavenges(5_000_000)).toBe(0);
}, 120_000);
