// node conformance/mutants/refresh.ts
// Moves each mutant patch's hunk header to where its line is now, when code
// moved but the line itself did not change (it must be found exactly once).
// A patch whose line changed or repeats is reported, and must be remade with
// make.ts. Exits 1 when any is.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { anchorOf, movedTo, patchFiles, readLinePatch } from './patches.ts';

const root = join(import.meta.dirname, '..', '..');
let lost = 0;
for (const path of patchFiles(import.meta.dirname)) {
  const patch = readLinePatch(path);
  const anchor = anchorOf(patch, readFileSync(join(root, patch.file), 'utf8'));
  const name = relative(import.meta.dirname, path);
  if (anchor.state === 'moved') {
    writeFileSync(path, movedTo(readFileSync(path, 'utf8'), patch, anchor.line));
    console.log(`moved    ${name}: line ${patch.line} → ${anchor.line}`);
  } else if (anchor.state === 'lost') {
    lost++;
    console.log(`REMAKE   ${name}: ${anchor.matches} lines of ${patch.file} equal the line it replaces`);
  }
}
process.exit(lost > 0 ? 1 : 0);
