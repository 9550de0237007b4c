// Mosquitto 2 (Debian's package: apt-get install mosquitto), started for the
// benchmark from a config in a temporary folder with a WebSocket listener
// and a native MQTT one, anonymous clients, no persistence. Everything else is
// Mosquitto's default, as a user installing it would run it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MOSQUITTO = '/usr/sbin/mosquitto';

/** A running Mosquitto. */
export interface Mosquitto {
  /** The WebSocket listener's port. */
  readonly port: number;
  /** The native MQTT (TCP) listener's port, on loopback. */
  readonly mqttPort: number;
  readonly pid: number;
  /** "Mosquitto 2.0.11". */
  readonly label: string;
  stop(): Promise<void>;
}

/** Why Mosquitto cannot run here, or undefined when it can. */
export function mosquittoMissing(): string | undefined {
  return existsSync(MOSQUITTO) ? undefined : 'Mosquitto is not installed (Debian: apt-get install mosquitto)';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function version(): string {
  // `mosquitto -h` prints "mosquitto version 2.0.11" first, and exits 3
  let text = '';
  try {
    text = execFileSync(MOSQUITTO, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    text = String((error as { stdout?: unknown }).stdout ?? '');
  }
  return /mosquitto version (\S+)/.exec(text)?.[1] ?? 'unknown';
}

/** Waits until something accepts TCP connections on `port`. */
async function listening(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}`);
}

/** Starts Mosquitto with a WebSocket listener on a free loopback port. */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-mosquitto-'));
  const port = await freePort();
  const mqttPort = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'allow_anonymous true',
      // 2.0 refuses to start with a WebSocket listener alone (eclipse-mosquitto/mosquitto#2284),
      // and its libwebsockets listener binds every interface whatever host it is given (#3045)
      `listener ${mqttPort} 127.0.0.1`,
      `listener ${port}`,
      'protocol websockets',
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await listening(port, child);
    await listening(mqttPort, child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    mqttPort,
    pid: child.pid ?? 0,
    label: `Mosquitto ${version()}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
