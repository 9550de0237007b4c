#!/usr/bin/env node
// `fleetkit-yang` on Node: maps the file system and stdio onto the portable CLI.
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { runCli } from '../cli/run.ts';

process.exitCode = runCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, 'utf8'),
  listYang: (dir) => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.yang'));
    } catch {
      return [];
    }
  },
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
