import { describe, expect, it } from 'vitest';
import { failureReport } from './failure-report.ts';

const escapeCharacter = String.fromCharCode(27);

describe('failureReport', () => {
  it('keeps vitest failure sections and totals, without colour codes', () => {
    const output = [
      ' ✓ a.test.ts (3 tests) 5ms',
      ` ${escapeCharacter}[31m×${escapeCharacter}[39m b.test.ts > breaks`,
      '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯',
      ' FAIL  b.test.ts > breaks',
      'AssertionError: expected 1 to be 2',
      ' Test Files  1 failed | 1 passed (2)',
      '   Duration  1.00s',
      'trailing noise',
    ].join('\n');
    expect(failureReport(output)).toBe(
      [
        '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯',
        ' FAIL  b.test.ts > breaks',
        'AssertionError: expected 1 to be 2',
        ' Test Files  1 failed | 1 passed (2)',
        '   Duration  1.00s',
      ].join('\n'),
    );
  });

  it('starts at an unhandled error when no test failed', () => {
    const output = ['ok', '⎯⎯⎯⎯ Unhandled Rejection ⎯⎯⎯⎯', 'Error: late', '   Duration  2s'].join('\n');
    expect(failureReport(output)).toBe(['⎯⎯⎯⎯ Unhandled Rejection ⎯⎯⎯⎯', 'Error: late', '   Duration  2s'].join('\n'));
  });

  it('falls back to the tail, clipped', () => {
    const output = Array.from({ length: 100 }, (_, index) => `line ${index}`).join('\n');
    const report = failureReport(output, 5).split('\n');
    expect(report[0]).toBe('line 20');
    expect(report).toHaveLength(6);
    expect(report[5]).toBe('… 75 more lines above in the log');
  });
});
