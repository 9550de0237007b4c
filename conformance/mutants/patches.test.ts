import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorOf, linesEqual, movedTo, patchFiles, readLinePatch } from './patches.ts';

const root = join(import.meta.dirname, '..', '..');

describe('mutant patches', () => {
  // run.ts skips a patch that no longer applies: a stale patch would silently leave the score
  it('each replaces a line that is where its header says (node conformance/mutants/refresh.ts moves them)', () => {
    const stale = patchFiles(import.meta.dirname).flatMap((path) => {
      const patch = readLinePatch(path);
      const anchor = anchorOf(patch, readFileSync(join(root, patch.file), 'utf8'));
      return anchor.state === 'current' ? [] : [`${relative(import.meta.dirname, path)}: ${anchor.state}`];
    });
    expect(stale).toEqual([]);
  });

  it('finds a moved line once, refuses a repeated one, and rewrites only the hunk header', () => {
    const text = 'a\nb\nmoved line\nb\n';
    const patch = { path: 'x.patch', file: 'x.ts', line: 1, old: 'moved line', replacement: 'changed' };
    expect(linesEqual(text, 'b')).toEqual([2, 4]);
    expect(anchorOf(patch, text)).toEqual({ state: 'moved', line: 3 });
    expect(anchorOf({ ...patch, old: 'b' }, text)).toEqual({ state: 'lost', matches: 2 });
    expect(anchorOf({ ...patch, line: 3 }, text)).toEqual({ state: 'current' });
    const patchText = 'Breaks: x\n\n--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-moved line\n+changed\n';
    expect(movedTo(patchText, patch, 3)).toBe(patchText.replace('@@ -1 +1 @@', '@@ -3 +3 @@'));
  });
});
