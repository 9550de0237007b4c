// Our own fleetkit-broker as the broker under test, in a child process kept
// alive like a supervisor would: when it exits after a restart signal it is
// started again on the same port, so the suite's --restart-command and
// --shutdown-command (which signal the pid in `pidFile`) both have a broker.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY } from './our-server.ts';

/**
 * The ping interval of the brokers the tests start: short, so the heartbeat
 * checks take seconds instead of minutes, and long enough that a pause of the
 * loaded test process does not make a live peer look dead.
 */
export const TEST_HEARTBEAT_MS = 1_000;

export const BROKER_KEYS = { deviceKey: 'conformance-device-key', controlKey: 'conformance-control-key' } as const;

/** A supervised broker. */
export interface OurBroker {
  readonly url: string;
  /** Signals the current broker process: the commands the suite runs. */
  readonly restartCommand: string;
  readonly shutdownCommand: string;
  stop(): Promise<void>;
}

/** Options of {@link startOurBroker}. */
export interface OurBrokerOptions {
  readonly heartbeatMs: number;
  /** The checkout to run (default this repository). */
  readonly root?: string;
}

/** Starts `fleetkit-broker` and restarts it whenever it exits, until `stop`. */
export async function startOurBroker(options: OurBrokerOptions): Promise<OurBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-conformance-broker-'));
  const pidFile = join(dir, 'pid');
  let stopping = false;
  let child: ChildProcess | undefined;
  // 0 for the first start; every later start takes the port the first one got
  let port = 0;
  const start = (): Promise<string> => {
    const cli = join(options.root ?? REPOSITORY, 'packages', 'broker', 'src', 'adapters', 'cli.ts');
    const args = ['--conditions=source', cli, '--host', '127.0.0.1', '--port', String(port)];
    args.push('--device-key', BROKER_KEYS.deviceKey, '--control-key', BROKER_KEYS.controlKey);
    args.push('--heartbeat-ms', String(options.heartbeatMs));
    const started = spawn(join(REPOSITORY, 'node_modules', '.bin', 'node'), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    writeFileSync(pidFile, String(started.pid));
    started.stderr!.resume();
    return new Promise((resolve, reject) => {
      let out = '';
      started.stdout!.setEncoding('utf8');
      started.stdout!.on('data', (chunk: string) => {
        out += chunk;
        const match = /listening on (ws:\/\/\S+)/.exec(out);
        if (match !== null) resolve(match[1]!);
      });
      started.once('exit', (code) => {
        reject(new Error(`fleetkit-broker exited with ${code} before listening:\n${out}`));
        if (!stopping) void start().catch(() => undefined);
      });
    });
  };
  const url = await start();
  port = Number(new URL(url).port);
  return {
    url,
    restartCommand: `kill -HUP "$(cat '${pidFile}')"`,
    shutdownCommand: `kill -TERM "$(cat '${pidFile}')"`,
    async stop() {
      stopping = true;
      const last = child;
      if (last !== undefined && last.exitCode === null && last.signalCode === null) {
        const exited = new Promise((resolve) => last.once('exit', resolve));
        last.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
