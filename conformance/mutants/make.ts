// node conformance/mutants/make.ts <suite> <name> <file> <line text> <new line text> <what it breaks> [device api]
// Writes conformance/mutants/<suite>/<name>.patch: a one-line change of <file> as committed (path relative to the repository),
// where <line text> is a unique substring of the line to replace; the header says what documented behaviour
// the mutant breaks. The file itself is left untouched.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [suite, name, file, find, replace, breaks, deviceApi] = process.argv.slice(2);
if (
  suite === undefined ||
  name === undefined ||
  file === undefined ||
  find === undefined ||
  replace === undefined ||
  breaks === undefined
) {
  console.error(
    'Usage: node conformance/mutants/make.ts <suite> <name> <file> <line text> <new line text> <what it breaks> [device api]',
  );
  process.exit(2);
}
const root = join(import.meta.dirname, '..', '..');
// the committed text: the mutation runs apply each patch to a copy of HEAD
const text = execFileSync('git', ['show', `HEAD:${file}`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
// the last element after a final newline is no line
const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
const at = lines.flatMap((line, index) => (line.includes(find) ? [index] : []));
if (at.length !== 1) {
  console.error(`${file}: ${at.length} lines contain ${JSON.stringify(find)}; give a text that names one`);
  process.exit(1);
}
const index = at[0]!;
const old = lines[index]!;
const changed = old.replace(find, replace);
if (changed === old) {
  console.error('the change changes nothing');
  process.exit(1);
}
// no context lines: the source's comments stay out of the patch, and `git apply --unidiff-zero` still
// checks the line it replaces
const patch = [
  `Breaks: ${breaks}`,
  ...(deviceApi === undefined ? [] : [`Device-API: ${deviceApi}`]),
  '',
  `diff --git a/${file} b/${file}`,
  `--- a/${file}`,
  `+++ b/${file}`,
  `@@ -${index + 1} +${index + 1} @@`,
  `-${old}`,
  `+${changed}`,
  '',
].join('\n');
const out = join(import.meta.dirname, suite, `${name}.patch`);
if (existsSync(out)) {
  console.error(`${out} exists`);
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, patch);
console.log(`${out}\n-${old}\n+${changed}`);
