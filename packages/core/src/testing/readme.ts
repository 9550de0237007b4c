import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The ```ts code blocks of a Markdown file, in order. */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/**
 * Runs the `index`-th ```ts block of a package README as a module placed in
 * the package folder (so `@fleetkit/*` imports resolve as a user's would) and
 * returns its exports, for tests to assert on. Keeps README examples honest.
 */
export async function importReadmeExample(readme: string | URL, index = 0): Promise<Record<string, unknown>> {
  const path = typeof readme === 'string' ? readme : fileURLToPath(readme);
  const block = typescriptBlocks(readFileSync(path, 'utf8'))[index];
  if (block === undefined) throw new Error(`${path} has no \`\`\`ts block number ${index}`);
  const file = join(dirname(path), `.readme-example-${index}-${process.pid}.ts`);
  writeFileSync(file, block);
  try {
    return (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  } finally {
    rmSync(file, { force: true });
  }
}
