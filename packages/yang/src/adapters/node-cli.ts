#!/usr/bin/env node
// `fleetkit-yang` on Node: maps the file system and stdio onto the portable CLI.
import { runCli } from '../cli/run.ts';

// `node:fs` and `node:process` are taken from the running Node, not imported:
// an ESM import of a builtin builds its whole namespace, and fs's reaches
// `fs.promises`, which loads streams, readline and many more internal
// modules a validation never uses (docs/decisions/yang-006-cli-start-up.md).
const { readdirSync, readFileSync } = process.getBuiltinModule('node:fs');

process.exitCode = runCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, 'utf8'),
  listYang: (dir) => {
    try {
      return readdirSync(dir).filter((file) => file.endsWith('.yang'));
    } catch {
      return [];
    }
  },
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
