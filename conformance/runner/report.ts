import type { CheckResult } from './check.ts';

const LABEL = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;

/** One progress line: `ok   device-transaction 3 Fig. 9 step 3 … (12 ms)`, with the reason of a failure or skip. */
export function progressLine(result: CheckResult): string {
  const head = `${LABEL[result.status]} ${result.suite} ${result.index} ${result.name}`;
  return result.reason === undefined ? `${head} (${result.ms} ms)` : `${head}: ${result.reason}`;
}

/** Per suite: passed, failed, skipped and time; then the totals. */
export function summaryTable(results: readonly CheckResult[]): string {
  const rows: string[][] = [['suite', 'passed', 'failed', 'skipped', 'seconds']];
  const suites = [...new Set(results.map((r) => r.suite))];
  const line = (name: string, of: readonly CheckResult[]): string[] => [
    name,
    String(of.filter((r) => r.status === 'passed').length),
    String(of.filter((r) => r.status === 'failed').length),
    String(of.filter((r) => r.status === 'skipped').length),
    (of.reduce((sum, r) => sum + r.ms, 0) / 1000).toFixed(1),
  ];
  for (const suite of suites)
    rows.push(
      line(
        suite,
        results.filter((r) => r.suite === suite),
      ),
    );
  rows.push(line('total', results));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const format = (row: string[]): string =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [format(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(format)].join('\n');
}

/** JUnit XML: one `testsuite` per suite, one `testcase` per check, `failure` or `skipped` with the reason. */
export function junitXml(results: readonly CheckResult[]): string {
  const suites = [...new Set(results.map((r) => r.suite))];
  const body = suites.map((suite) => {
    const of = results.filter((r) => r.suite === suite);
    const cases = of.map((r) => {
      const open = `    <testcase classname="${xml(suite)}" name="${xml(r.name)}" time="${(r.ms / 1000).toFixed(3)}"`;
      if (r.status === 'passed') return `${open}/>`;
      const element = r.status === 'failed' ? 'failure' : 'skipped';
      return `${open}>\n      <${element} message="${xml(r.reason ?? '')}"/>\n    </testcase>`;
    });
    const count = (status: CheckResult['status']): number => of.filter((r) => r.status === status).length;
    const time = (of.reduce((sum, r) => sum + r.ms, 0) / 1000).toFixed(3);
    return `  <testsuite name="${xml(suite)}" tests="${of.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${time}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="fleetkit-conformance">\n${body.join('\n')}\n</testsuites>\n`;
}

/** The run as one JSON document. */
export function jsonReport(results: readonly CheckResult[], target: string): string {
  const count = (status: CheckResult['status']): number => results.filter((r) => r.status === status).length;
  return JSON.stringify(
    { target, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), checks: results },
    null,
    2,
  );
}

function xml(text: string): string {
  // characters XML 1.0 cannot carry at all are left out
  const carried = [...text].filter((c) => c.charCodeAt(0) >= 0x20 || c === '\t' || c === '\n' || c === '\r').join('');
  return carried.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
