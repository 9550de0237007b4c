// npm start: the main job. Until the reference server exists it runs every
// benchmark suite of what exists and prints their tables; a suite whose peer
// needs a service that is not running says so and the rest go on.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const result = spawnSync(
  process.execPath,
  ['--conditions=source', join(root, 'benchmarks', 'run.ts'), '--all', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exitCode = result.status ?? 1;
