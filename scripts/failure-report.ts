// The part of a failed step's output worth repeating at the end of `npm test`:
// vitest's failure sections and its totals, or the tail when there are none
// (a crash, a type error, a lint report).
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const sectionStart = /⎯{2,} (Failed Tests|Failed Suites|Unhandled Errors?|Unhandled Rejection)\b/;
const totalsEnd = /^\s*Duration\s/;

export function failureReport(output: string, limit = 400): string {
  const lines = output.replace(ansi, '').split('\n');
  const start = lines.findIndex((line) => sectionStart.test(line));
  if (start === -1) return clip(lines.slice(-80), limit);
  const end = lines.findIndex((line, index) => index > start && totalsEnd.test(line));
  return clip(lines.slice(start, end === -1 ? undefined : end + 1), limit);
}

function clip(lines: readonly string[], limit: number): string {
  if (lines.length <= limit) return lines.join('\n');
  return [...lines.slice(0, limit), `… ${lines.length - limit} more lines above in the log`].join('\n');
}
