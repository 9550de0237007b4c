import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, 'node-cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'fleetkit-yang-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'm.yang'),
  'module m { yang-version 1.1; namespace "urn:m"; prefix m; leaf port { type uint16; } }\n',
);
writeFileSync(join(dir, 'ok.json'), '{"m:port": 80}\n');

// printed at exit by a module preloaded with --import: Node's internal modules this process loaded
const REPORT = `data:text/javascript,process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)))`;

describe('the Node CLI adapter', () => {
  it('validates without loading fs/promises, readline or WebCrypto, which an ESM import of node:fs and the crypto global would', () => {
    const run = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', REPORT, cli, 'validate', join(dir, 'm.yang'), join(dir, 'ok.json')],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    const loaded = JSON.parse(run.stderr) as string[];
    expect(loaded.filter((m) => /fs\/promises|readline|crypto\/webcrypto/.test(m))).toEqual([]);
  });
});
