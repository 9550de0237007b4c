// CPU time of a scratch PostgreSQL cluster: its postmaster and every backend
// it forked, read from /proc (Linux). The suite's two sides share one cluster
// and run in turn, so the time a slice adds is that slice's side's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

function stat(pid: string): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name, which may hold spaces and parentheses
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/**
 * The CPU time in µs the cluster in `dir` (scripts/postgres.ts) used so far,
 * its exited backends not included; undefined without /proc.
 */
export function clusterCpuMicros(dir: string): number | undefined {
  const pidFile = join(dir, 'data', 'postmaster.pid');
  if (!existsSync(pidFile) || !existsSync('/proc')) return undefined;
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const s = stat(pid);
    if (s !== undefined && (Number(pid) === postmaster || s.ppid === postmaster)) ticks += s.ticks;
  }
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}
