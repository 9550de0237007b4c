// The one-line patches of conformance/mutants/<suite>/*.patch as make.ts
// writes them: what each changes, and where that line is in the tree now.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One mutant's patch: the line it replaces, where, and with what. */
export interface LinePatch {
  readonly path: string;
  /** The file it changes, relative to the repository. */
  readonly file: string;
  /** 1-based line number in the patch's hunk header. */
  readonly line: number;
  readonly old: string;
  readonly replacement: string;
}

const HUNK = /^--- a\/(.+)\n\+\+\+ b\/\1\n@@ -(\d+) \+\2 @@\n-(.*)\n\+(.*)\n/m;

/** Every mutant patch under `directory`, suite by suite. */
export function patchFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) =>
      readdirSync(join(directory, entry.name))
        .filter((file) => file.endsWith('.patch'))
        .map((file) => join(directory, entry.name, file)),
    )
    .sort();
}

/** Reads a patch make.ts wrote; throws on any other shape. */
export function readLinePatch(path: string): LinePatch {
  const match = HUNK.exec(readFileSync(path, 'utf8'));
  if (match === null) throw new Error(`${path}: not a one-line patch as make.ts writes them`);
  return { path, file: match[1]!, line: Number(match[2]), old: match[3]!, replacement: match[4]! };
}

/** The 1-based numbers of the lines of `text` equal to `old`. */
export function linesEqual(text: string, old: string): number[] {
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return lines.flatMap((line, index) => (line === old ? [index + 1] : []));
}

/** Where a patch stands against the file's current text. */
export type Anchor =
  | { readonly state: 'current' }
  | { readonly state: 'moved'; readonly line: number }
  | { readonly state: 'lost'; readonly matches: number };

/** Whether the patch's line is where its header says, moved to one other place, or gone (or ambiguous). */
export function anchorOf(patch: LinePatch, text: string): Anchor {
  const at = linesEqual(text, patch.old);
  if (at.includes(patch.line)) return { state: 'current' };
  if (at.length === 1) return { state: 'moved', line: at[0]! };
  return { state: 'lost', matches: at.length };
}

/** The patch's text with its hunk header moved to `line`. */
export function movedTo(patchText: string, patch: LinePatch, line: number): string {
  return patchText.replace(`@@ -${patch.line} +${patch.line} @@`, `@@ -${line} +${line} @@`);
}
