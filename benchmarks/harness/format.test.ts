import { describe, expect, it } from 'vitest';
import { benchmarksDoc, markdownTable } from './format.ts';
import { runSuite } from './run-suite.ts';
import { defineSuite, type SuiteResult } from './suite.ts';

const goalRow = {
  name: 'group of 100k on SQLite (sub-transactions/s)',
  ours_hz: 170_000,
  peer: '100k in 2 s',
  peer_hz: 50_000,
  ratio: 3.4,
  goal: 1,
  reference: 'goal' as const,
};
const peerRow = {
  name: 'PostgreSQL cycle, 1 in flight (cycles/s)',
  ours_hz: 700,
  peer: 'pg-boss 12.38',
  peer_hz: 350,
  ratio: 2,
  goal: 3,
};

describe('benchmark tables', () => {
  it('label a row whose right-hand side is a goal constant as a goal, not a peer', () => {
    const [, , goalLine, peerLine] = markdownTable([goalRow, peerRow]).split('\n');
    expect(goalLine).toContain('| goal constant (not a peer): 100k in 2 s |');
    expect(peerLine).toContain('| pg-boss 12.38 |');
    expect(peerLine).not.toContain('goal constant');
  });

  it('carry a measured case’s reference into its result, and only when set', async () => {
    const suite = defineSuite({
      name: 'labels',
      description: 'two measured cases',
      cases: () => [
        {
          name: 'against a goal',
          peer: '100k in 2 s',
          reference: 'goal',
          measure: async () => ({ ours_hz: 2, peer_hz: 1 }),
        },
        { name: 'against a peer', peer: 'a library', measure: async () => ({ ours_hz: 1, peer_hz: 2 }) },
      ],
    });
    const [goal, peer] = await runSuite(suite, { timeMs: 10 }, () => {});
    expect(goal?.reference).toBe('goal');
    expect(peer !== undefined && 'reference' in peer).toBe(false);
    expect(peer?.ratio).toBe(0.5);
  });

  it('render the label in docs/benchmarks.md too', () => {
    const result: SuiteResult = {
      suite: 'txqueue',
      node: '24.21.0',
      date: '2026-12-07',
      command: 'npm run bench -- txqueue',
      description: 'cycles',
      cases: [goalRow],
    };
    expect(benchmarksDoc([result])).toContain('goal constant (not a peer): 100k in 2 s');
  });
});
