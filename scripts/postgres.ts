// A scratch PostgreSQL cluster for tests and CI: initdb into a temporary
// folder, trust auth on 127.0.0.1 and a private socket, stopped afterwards.
//   node scripts/postgres.ts start   → prints the connection URL
//   node scripts/postgres.ts stop DIR
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScratchPostgres {
  readonly url: string;
  readonly dir: string;
  stop(): void;
}

/** The folder holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

// initdb refuses to run as root; Debian's package creates a postgres user.
function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Starts a throwaway cluster; throws with the reason when it cannot. */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin or on PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-pg-'));
  const user = asPostgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (file: string, args: string[]): void => {
    execFileSync(join(bin, file), args, { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) });
  };
  const port = await freePort();
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    stop: () => stopScratchPostgres(dir),
  };
}

/** Stops a cluster started by {@link startScratchPostgres} and deletes it. */
export function stopScratchPostgres(dir: string): void {
  const bin = findPostgresBin();
  if (bin && existsSync(join(dir, 'data'))) {
    execFileSync(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'], {
      stdio: 'ignore',
      ...(asPostgresUser() ?? {}),
    });
  }
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.main) {
  const [command, dir] = process.argv.slice(2);
  if (command === 'start') {
    const pg = await startScratchPostgres();
    console.log(pg.url);
  } else if (command === 'stop' && dir) {
    stopScratchPostgres(dir);
  } else {
    console.error('usage: node scripts/postgres.ts start | stop DIR');
    process.exit(2);
  }
}
