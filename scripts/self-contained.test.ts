// The repository must stand alone: no tracked file may send a reader to a
// file outside it (the research notes, house-style and architecture files
// that sat beside the first checkouts, or the source documents' file names).
// The facts those files held are stated in docs/sources.md and
// docs/architecture.md. Relative links in Markdown must reach a file too.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const self = 'scripts/self-contained.test.ts';

/** What points outside the repository. Case matters: docs/architecture.md is ours, ARCHITECTURE.md is not. */
const OUTSIDE: readonly RegExp[] = [
  /\.\.\/shared\b/g,
  /\/work\/shared\b/g,
  /\breference\/[a-z-]+\.md\b/g,
  /(?<!reference\/)\b(?:exodm|platforms|runtimes|peers)\.md\b/g,
  /\bSTYLE\.md\b/g,
  /\bARCHITECTURE\.md\b/g,
  /\bseeds\//g,
  /\b00[0-2]_(?:…|\.\.\.|[0-9a-f]{4})/g,
];

interface Hit {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return out.split('\0').filter((file) => file !== '' && existsSync(join(root, file)));
}

function textOf(file: string): string | undefined {
  const bytes = readFileSync(join(root, file));
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

/** Every reference to a file outside the repository in `text`, with its line. */
function outsideReferences(file: string, text: string): Hit[] {
  const hits: Hit[] = [];
  text.split('\n').forEach((content, index) => {
    for (const pattern of OUTSIDE) {
      for (const match of content.matchAll(pattern)) hits.push({ file, line: index + 1, text: match[0] });
    }
  });
  return hits;
}

/** Relative Markdown link targets that name no file (anchors and URLs are not checked). */
function brokenLinks(file: string, text: string): Hit[] {
  const hits: Hit[] = [];
  text.split('\n').forEach((content, index) => {
    for (const match of content.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!.split('#')[0]!;
      if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      if (!existsSync(join(root, dirname(file), target))) hits.push({ file, line: index + 1, text: match[1]! });
    }
  });
  return hits;
}

const format = (hits: readonly Hit[]): string => hits.map((h) => `${h.file}:${h.line}: ${h.text}`).join('\n');

describe('the repository stands alone', () => {
  const files = trackedFiles().filter((file) => file !== self);
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = textOf(file);
    if (text !== undefined) texts.set(file, text);
  }
  const hits = [...texts].flatMap(([file, text]) => outsideReferences(file, text));

  it('finds the references it looks for', () => {
    const sample =
      'see ../shared/STYLE.md, reference/exodm.md §5, platforms.md §2, `seeds/002_…` and docs/architecture.md';
    expect(outsideReferences('x', sample).map((h) => h.text)).toEqual([
      '../shared',
      'reference/exodm.md',
      'platforms.md',
      'STYLE.md',
      'seeds/',
      '002_…',
    ]);
  });

  it('has no reference to a file outside it', () => {
    expect(format(hits), 'rewrite these to point at docs/sources.md or docs/architecture.md').toBe('');
  });

  it('has Markdown links that reach files in it', () => {
    const broken = [...texts]
      .filter(([file]) => file.endsWith('.md'))
      .flatMap(([file, text]) => brokenLinks(file, text));
    expect(format(broken)).toBe('');
  });
});
